#!/usr/bin/env node
/**
 * Check that TeX math fragments render in both KaTeX and MathJax 3.
 *
 * Reads a JSON array of {"tex": "...", "display": true|false} from stdin and
 * writes a JSON array of {"index", "renderer", "error"} to stdout, one entry
 * for every fragment that a renderer cannot render. Exit status 0 means the
 * check ran (whatever it found); 2 means the input was not usable.
 *
 * KaTeX runs with throwOnError and strict "warn": non-standard input only
 * warns (on stderr), anything KaTeX cannot parse is an error (its position
 * underlining is removed to keep the message readable). MathJax runs its
 * TeX input with the packages a site would typically load; MathJax reports
 * TeX errors as <merror> nodes, so the tree is searched for them. Both run
 * fully offline.
 */
'use strict';

const fs = require('fs');
const katex = require('katex');
const { mathjax } = require('mathjax-full/js/mathjax.js');
const { TeX } = require('mathjax-full/js/input/tex.js');
const { liteAdaptor } = require('mathjax-full/js/adaptors/liteAdaptor.js');
const { RegisterHTMLHandler } = require('mathjax-full/js/handlers/html.js');
const { STATE } = require('mathjax-full/js/core/MathItem.js');
require('mathjax-full/js/input/tex/base/BaseConfiguration.js');
require('mathjax-full/js/input/tex/ams/AmsConfiguration.js');
require('mathjax-full/js/input/tex/boldsymbol/BoldsymbolConfiguration.js');
require('mathjax-full/js/input/tex/color/ColorConfiguration.js');

const MATHJAX_PACKAGES = ['base', 'ams', 'boldsymbol', 'color'];

/** Return KaTeX's error message for `tex`, or null if it renders. */
function katexError(tex, display) {
  try {
    katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'warn' });
    return null;
  } catch (err) {
    return String(err.message || err).replace(/\u0332/g, '');
  }
}

/** Build a function returning MathJax's error message for `tex`, or null. */
function makeMathjaxChecker() {
  RegisterHTMLHandler(liteAdaptor());
  const doc = mathjax.document('', { InputJax: new TeX({ packages: MATHJAX_PACKAGES }) });

  return function mathjaxError(tex, display) {
    let root;
    try {
      root = doc.convert(tex, { display, end: STATE.CONVERT });
    } catch (err) {
      return String(err.message || err);
    }
    const messages = [];
    root.walkTree((node) => {
      if (node.isKind('merror')) {
        messages.push(node.attributes.get('data-mjx-error') || 'MathJax error node');
      }
    });
    return messages.length ? messages.join('; ') : null;
  };
}

/** Parse and validate the fragments read from stdin. */
function readFragments() {
  const data = JSON.parse(fs.readFileSync(0, 'utf8'));
  if (!Array.isArray(data)) {
    throw new Error('input must be a JSON array');
  }
  return data.map((item, i) => {
    if (!item || typeof item.tex !== 'string') {
      throw new Error(`item ${i} has no string "tex"`);
    }
    return { tex: item.tex, display: Boolean(item.display) };
  });
}

function main() {
  let fragments;
  try {
    fragments = readFragments();
  } catch (err) {
    process.stderr.write(`check.js: bad input: ${err.message}\n`);
    process.exit(2);
  }
  const mathjaxError = makeMathjaxChecker();
  const errors = [];
  fragments.forEach(({ tex, display }, index) => {
    const fromKatex = katexError(tex, display);
    if (fromKatex !== null) errors.push({ index, renderer: 'katex', error: fromKatex });
    const fromMathjax = mathjaxError(tex, display);
    if (fromMathjax !== null) errors.push({ index, renderer: 'mathjax', error: fromMathjax });
  });
  process.stdout.write(JSON.stringify(errors) + '\n');
}

main();
