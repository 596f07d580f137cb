# Everything bootstraps from a fresh clone: the venv, Python packages (and npm packages where used).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: bootstrap fonts ocr demo test lint schemas serve bot bench eval chromium clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

bootstrap: $(STAMP)

# The renderer's Noto fonts (every script) and its FriBiDi for both Lambda architectures: Debian
# packages pinned by version and sha256 in functions/image_renderer/assets.json, downloaded once with
# apt-get into ~/.cache/vibecoder, unpacked into the renderer's folder and verified on every run.
fonts: bootstrap
	$(PY) -m tools.renderer_assets

# Tesseract and the language packs the rendering tests read every script back with (Debian packages;
# installed when we are root, else those tests skip and say why).
OCR_PACKAGES := tesseract-ocr tesseract-ocr-ara tesseract-ocr-chi-sim tesseract-ocr-ell tesseract-ocr-heb \
	tesseract-ocr-hin tesseract-ocr-jpn tesseract-ocr-rus tesseract-ocr-tha tesseract-ocr-vie
ocr:
	@have="$$(tesseract --list-langs 2>/dev/null | tail -n +2 | tr '\n' ' ')"; missing=""; \
	for pkg in $(OCR_PACKAGES); do lang="$${pkg#tesseract-ocr}"; lang="$$(echo "$${lang#-}" | tr - _)"; \
		case " $$have " in *" $${lang:-eng} "*) ;; *) missing="$$missing $$pkg";; esac; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then { apt-get install -y -qq $$missing >/dev/null 2>&1 || \
			{ apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; }; } || \
			echo "could not install$$missing: the OCR read-back tests will skip"; \
		else echo "not root, cannot install$$missing: the OCR read-back tests will skip"; fi; fi

demo: bootstrap fonts
	$(PY) -m local carousel "Functional Programming with TypeScript" --slides 5

# The deployed-shape tests follow when this machine can run them (Node.js, Python 3.12), else it says why.
test: bootstrap fonts ocr
	$(PY) -m pytest -n auto --ignore=tests/deployed
	@if $(PY) -m local.deployed check; then $(MAKE) --no-print-directory deployed-test; \
	else echo "make test: tests/deployed skipped (see the line above)"; fi

lint: bootstrap
	$(PY) -m ruff check .

serve: bootstrap fonts
	$(PY) -m local serve --port 8080

# Your own bot on this machine (TELEGRAM_BOT_TOKEN from @BotFather): updates by long polling, no public URL.
bot: bootstrap fonts
	$(PY) -m local poll

# Regenerate what is derived from the event catalog: events/schemas/ and the README diagram.
schemas: bootstrap
	$(PY) -m tools.catalog_docs --write

# The content evaluation (issue #12): topics, pasted texts and scripted OpenAI answers, checked per
# carousel; prints a table and a score, writes its BENCHMARKS.md section, and fails when a goal is missed.
eval: bootstrap fonts
	$(PY) bench/content_eval.py --strict

# Figures, not tests: BENCHMARKS.md is rewritten with what this machine measures.
# BENCH_BASELINE=<git ref>: the flow (and so the cost) also measured at that commit, before and after in one run.
BENCH_BASELINE ?=
bench: bootstrap fonts chromium
	$(PY) bench/coldstart_bench.py
	@if $(PY) -m local.deployed check; then $(MAKE) --no-print-directory deployed-coldstart; fi
	$(PY) bench/flow_bench.py $(if $(BENCH_BASELINE),--baseline $(BENCH_BASELINE))
	$(PY) bench/memory_bench.py
	$(PY) bench/cost_model.py
	$(PY) bench/render_bench.py
	$(PY) bench/load_bench.py
	$(PY) bench/outage_bench.py
	$(PY) bench/content_eval.py
	$(PY) bench/summary.py

# The seed's renderer (for the side-by-side figures): Debian's headless Chromium, if we may install it.
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		apt-get install -y -qq chromium fonts-inter fonts-lato fonts-noto-color-emoji >/dev/null; } || \
		echo "chromium unavailable: the benchmark skips the seed's half"

clean:
	rm -rf $(VENV) out cdk.out

# --- Infrastructure (cdk/) ------------------------------------------------------------------------
# The CDK CLI pinned in package-lock.json; no version check, telemetry or notices: nothing waits on the
# network. `make synth SKIP_BUNDLING=1` synthesizes without pip-installing the dependency layer.
CDK_ENV := CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
CDK := $(CDK_ENV) node_modules/.bin/cdk
NPM_STAMP := node_modules/.installed-$(shell cat package-lock.json | cksum | cut -d' ' -f1)
CDK_CONTEXT := $(if $(SKIP_BUNDLING),-c skipLayerBundling=true)
TEMPLATE := cdk.out/BibleVibeCoder.template.json
# The region's API Gateway logging role (cdk/account.py): its own stack, deployed before the app's.
ACCOUNT_TEMPLATE := cdk.out/BibleVibeCoder-ApiGatewayAccount.template.json

.PHONY: synth deploy diff nag cfn-lint layer lock

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	rm -f node_modules/.installed-* && touch $(NPM_STAMP)

# cdk-nag's AwsSolutions checks run inside synth: any unacknowledged finding fails it.
synth: bootstrap fonts $(NPM_STAMP)
	$(CDK) synth -q --no-notices $(CDK_CONTEXT)

nag: synth
	@echo "cdk-nag AwsSolutions: no unacknowledged findings (acknowledgments: cdk_nag metadata in $(TEMPLATE))"

cfn-lint: synth
	$(VENV)/bin/cfn-lint -- $(TEMPLATE) $(ACCOUNT_TEMPLATE)

diff: bootstrap fonts $(NPM_STAMP)
	$(CDK) diff --no-notices $(CDK_CONTEXT)

# Needs AWS credentials and a bootstrapped account (`npx cdk bootstrap`); see docs/operations.md.
# --all: the API Gateway account stack first (a no-op once the region has it), then the app.
deploy: bootstrap fonts $(NPM_STAMP)
	$(CDK) deploy --all --no-notices --outputs-file build/cdk-outputs.json $(CDK_CONTEXT)

# The deployed shape, offline (local/deployed/, docs/operations.md): the synthesized stack with every function
# in its own Python 3.12 from its asset, the template's resources on moto, its rules, API and roles.
.PHONY: deployed-test deployed-coldstart

deployed-test: bootstrap fonts $(NPM_STAMP)
	DEPLOYED_TEST_REQUIRED=1 $(PY) -m pytest tests/deployed -n 0 -p no:randomly

deployed-coldstart: bootstrap fonts $(NPM_STAMP)
	$(PY) bench/deployed_coldstart_bench.py

# The dependency layer alone, in build/deps-layer/python (what synth bundles), from requirements.lock.
layer: bootstrap
	$(PY) -m tools.build_layer --out build/deps-layer

# After changing requirements.txt: resolve it again for Lambda (CPython 3.12, arm64 and x86_64) with uv,
# every file's sha256 in requirements.lock (tests/infra fails while the lock is stale). Needs PyPI.
lock: bootstrap
	$(PY) -m tools.build_layer --lock

# SAM CLI in its own venv (its pins clash with ours): lint the synthesized template the way
# `sam local invoke -t cdk.out/BibleVibeCoder.template.json <Function>` will read it (offline).
SAM_VENV := .venv-sam
SAM_CLI_VERSION := 1.170.0

.PHONY: sam-validate

$(SAM_VENV)/.installed-$(SAM_CLI_VERSION):
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
	rm -f $(SAM_VENV)/.installed-* && touch $@

sam-validate: synth $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam validate --lint --region us-east-1 -t $(TEMPLATE)
