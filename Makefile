# pollwatch: every target works on a fresh machine; `up` and `test` run `setup` when needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KAFKA_JARS := .local/kafka/libs/.complete
# Tests get their own Kafka and PostgreSQL (state and ports apart from `make up`).
TEST_KAFKA_PORT ?= 19092
TEST_KAFKA_CONTROLLER_PORT ?= 19093
# Below the ephemeral range (32768+), so an outgoing connection never holds the port first.
TEST_PG_PORT ?= 25433
TEST_ENV := PW_STATE_DIR=$(CURDIR)/.local/test KAFKA_PORT=$(TEST_KAFKA_PORT) \
  KAFKA_CONTROLLER_PORT=$(TEST_KAFKA_CONTROLLER_PORT) PGPORT=$(TEST_PG_PORT) PG_FSYNC=off
export PW_TEST_KAFKA_PORT := $(TEST_KAFKA_PORT)
export PW_TEST_KAFKA_CONTROLLER_PORT := $(TEST_KAFKA_CONTROLLER_PORT)
export PW_TEST_PG_PORT := $(TEST_PG_PORT)
export PW_TEST_STATE_DIR := $(CURDIR)/.local/test
PYTEST_ARGS ?=
# make up starts the demo simulator unless SIMULATE=0.
SIMULATE ?= 1
.DEFAULT_GOAL := setup

test-infra: setup
	$(TEST_ENV) infra/kafka.sh start
	$(TEST_ENV) infra/postgres.sh start

.PHONY: test-infra setup up down test check lint typecheck unit web-test proto buf bench clean web live-client chromium k8s-generate k8s-validate

# The dashboard (web/): built into static files the API serves at / (see docs/dashboard.md); the
# monitor app (web/monitor/) into web/dist-monitor, which ingest serves at /m/ (docs/monitor-app.md).
WEB_STAMP := web/dist/index.html web/dist-monitor/index.html
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig.json web/monitor web/vite.monitor.config.ts services/common/catalog/*.json -type f 2>/dev/null)

# The graphql-ws reference client (Node) the live-feed e2e tests subscribe with.
LIVE_CLIENT_STAMP := tests/e2e/live/node_modules/.installed

setup: $(STAMP) $(KAFKA_JARS) $(WEB_STAMP) $(LIVE_CLIENT_STAMP)

web: $(WEB_STAMP)

live-client: $(LIVE_CLIENT_STAMP)

$(LIVE_CLIENT_STAMP): tests/e2e/live/package.json tests/e2e/live/package-lock.json
	cd tests/e2e/live && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_STAMP) &: web/package.json web/package-lock.json $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	touch $@

# Debian's Chromium for the dashboard's browser tests and benchmark.
chromium:
	infra/install_chromium.sh

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

$(KAFKA_JARS): infra/kafka/pom.xml
	infra/kafka.sh fetch

proto: $(STAMP)
	infra/gen_proto.sh

up: setup
	infra/kafka.sh start
	infra/postgres.sh start
	$(BIN)/pollwatch migrate
	$(BIN)/pollwatch topics create
	$(BIN)/pollwatch stations load services/common/registry/data/demo_stations.csv
	infra/services.sh start
	@key=$$(infra/demo.sh key); \
	if [ "$(SIMULATE)" = 1 ]; then infra/demo.sh simulate; fi; \
	echo; echo "pollwatch is up:"; \
	echo "  dashboard           http://127.0.0.1:8080/"; \
	echo "  GraphQL (GraphiQL)  http://127.0.0.1:8080/graphql   (header X-API-Key: $$key)"; \
	echo "  demo API key        $$key   (admin; also in .local/demo-api-key)"; \
	echo "  ingest              http://127.0.0.1:8081/v1/reports  (docs/ingest.md, docs/sms.md)"; \
	echo "  metrics             http://127.0.0.1:8080/metrics  :8081/metrics  :8082/metrics  :8083/metrics"; \
	echo "  messages            pollwatch messages send --everyone --text ...  (to the gateway simulator, :8084/simulator/texted)"; \
	echo "  simulator           $$( [ "$(SIMULATE)" = 1 ] && echo '.local/run/simulate.log' || echo 'off (SIMULATE=0)')"; \
	echo "  stop everything     make down"

down:
	-infra/demo.sh stop
	-infra/services.sh stop
	-infra/kafka.sh stop
	-infra/postgres.sh stop

# The suite runs in parallel (pytest-xdist, a file per worker; most tests wait on the stack, not
# the CPU), then the tests that stop the shared Kafka or PostgreSQL alone (the `serial` marker),
# then the patched paths' tests with every patch off. PYTEST_ARGS runs just what it names.
TEST_WORKERS ?= 3

test: setup promtool
	$(TEST_ENV) infra/kafka.sh start
	$(TEST_ENV) infra/postgres.sh start
	set +e; rc=0; \
	  run() { "$$@"; r=$$?; [ $$r -eq 5 ] && echo "pytest collected no tests: failing" >&2; [ $$rc -eq 0 ] && rc=$$r; }; \
	  if [ -n "$(PYTEST_ARGS)" ]; then run $(BIN)/pytest $(PYTEST_ARGS); else \
	    run $(BIN)/pytest -m "not serial" -n $(TEST_WORKERS) --dist loadfile; \
	    run $(BIN)/pytest -m serial; \
	    run env POLLWATCH_PATCHES=off $(BIN)/pytest $(STOCK_TESTS); \
	  fi; \
	  $(TEST_ENV) infra/kafka.sh stop; $(TEST_ENV) infra/postgres.sh stop; exit $$rc

# The integration tests of the patched paths with every library patch off (docs/patches.md): the
# stock paths still work. `make test` runs them too, after the whole suite.
STOCK_TESTS := tests/integration/ingest/test_producer_recovery.py tests/integration/ingest/test_broker_outage.py \
  tests/integration/aggregator/test_station_day.py tests/integration/api/test_subscriptions.py
.PHONY: test-stock
test-stock: setup
	$(TEST_ENV) infra/kafka.sh start
	$(TEST_ENV) infra/postgres.sh start
	set +e; POLLWATCH_PATCHES=off $(BIN)/pytest $(STOCK_TESTS) $(PYTEST_ARGS); rc=$$?; \
	  $(TEST_ENV) infra/kafka.sh stop; $(TEST_ENV) infra/postgres.sh stop; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; fi; exit $$rc

# promtool (Debian's prometheus package) for tests/integration/ops; leaves no server running.
.PHONY: promtool
promtool:
	infra/install_promtool.sh

lint: $(STAMP)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check --no-cache .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest tests/unit -q

# The dashboard's own unit tests (vitest); its type check runs in every build.
web-test: $(WEB_STAMP)
	cd web && npm test --silent

check: lint typecheck unit web-test

buf:
	infra/buf.sh

# Starts its own Kafka and PostgreSQL (ports 29092, 25434); writes artifacts/bench.json.
bench: setup
	$(BIN)/python -m bench.run $(BENCH)

# Kubernetes: KafkaTopics from the topic registry, the aggregator rules profiles' ConfigMap and the PrometheusRule
# from deploy/prometheus/rules.yaml (deploy/k8s/base),
# then render both overlays and validate them offline (tests/integration/deploy runs the same).
k8s-generate: $(STAMP)
	$(BIN)/python -m deploy.tools.k8s_topics > deploy/k8s/base/kafka/topics.yaml
	$(BIN)/python -m deploy.tools.k8s_rules deploy/k8s/base/aggregator/rules
	$(BIN)/python -m deploy.tools.k8s_prometheus_rule > deploy/k8s/base/monitoring/prometheusrule.yaml

k8s-validate: $(STAMP)
	infra/validate_k8s.sh

clean: down
	rm -rf .local $(VENV)
