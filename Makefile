# Build and test entry points; `make test` is what CI runs (via .ci/run).
PY ?= python3
BIN := .venv/bin
MATHCHECK := tests/mathcheck

.PHONY: .venv handouts test exam bench mutation clean

.venv: .venv/.installed

.venv/.installed: pyproject.toml
	$(PY) -m venv .venv
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install -e '.[test]'
	touch $@

$(MATHCHECK)/node_modules/.installed: $(MATHCHECK)/package.json $(MATHCHECK)/package-lock.json
	cd $(MATHCHECK) && npm ci --no-audit --no-fund
	touch $@

handouts: .venv/.installed
	$(BIN)/handouts build problems --out output

test: .venv/.installed $(MATHCHECK)/node_modules/.installed
	$(BIN)/python -m pytest -n 2

exam: .venv/.installed
	$(BIN)/handouts exam problems/families/sample.yaml --versions 4 --seed 2026 --out output/exam

bench: .venv/.installed
	$(BIN)/python benchmarks/bench.py

# Mutation testing (not in CI; about 20-40 minutes on 2 cores): see docs/testing.md.
mutation: .venv/.installed
	$(BIN)/pip install --quiet -e '.[mutation]'
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 >/dev/null
	$(BIN)/mutmut results --all true | $(BIN)/python tests/mutation_summary.py

clean:
	rm -rf .venv output build dist mutants *.egg-info .pytest_cache .hypothesis $(MATHCHECK)/node_modules
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
