# The front door. Every target runs from a fresh clone; see README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

MVNW := ./mvnw
MAVEN_ARGS ?= -B
API_JAR := api-service/target/quarkus-app/quarkus-run.jar
WORKER_JAR := write-worker/target/quarkus-app/quarkus-run.jar
PROM_DIR := observability/prometheus
PROM_CONFIGS := $(PROM_DIR)/prometheus.yml $(PROM_DIR)/prometheus.local.yml
SOURCES := pom.xml $(shell find shared-contracts api-service write-worker -name target -prune -o -type f -print)

.PHONY: help deps build run dev dev-worker test test-rules check-observability k8s image image-test native-sources native observe load chaos chaos-short bench bench-wrk bench-replicas overload fmt clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-19s %s\n", $$1, $$2}'

deps: ## Check PostgreSQL, Redis and RabbitMQ; start or install what is missing; create the databases
	@scripts/deps.sh

build: $(API_JAR) $(WORKER_JAR) ## Package both services (skips tests; only when sources changed)

$(API_JAR) $(WORKER_JAR) &: $(SOURCES)
	$(MVNW) $(MAVEN_ARGS) package -DskipTests
	@touch $(API_JAR) $(WORKER_JAR)

run: deps build ## Run api-service (:8080) and write-worker (:8081) in the foreground (REPLICAS=2: behind HAProxy); Ctrl-C stops both
	@scripts/run.sh

dev: deps ## api-service in Quarkus dev mode (live reload, Dev UI at http://localhost:8080/q/dev-ui)
	$(MVNW) quarkus:dev -pl api-service -am -Ddebug=false -Dtasks.dev

dev-worker: deps ## write-worker in Quarkus dev mode
	$(MVNW) quarkus:dev -pl write-worker -am -Ddebug=false

test: deps test-rules check-observability ## Run every test against the real local services; check formatting, alert rules, observability/, manifests
	$(MVNW) $(MAVEN_ARGS) verify
	@scripts/check-k8s.sh

test-rules: ## Check the Prometheus configs and unit-test the alert rules (skipped without promtool)
	@if ! command -v promtool >/dev/null; then \
	    echo "test-rules: promtool not found, skipping (it comes with: sudo apt-get install prometheus)"; exit 0; \
	fi; \
	set -e; \
	promtool check config $(PROM_CONFIGS); \
	promtool test rules $(PROM_DIR)/rules/tasks-alerts.test.yml; \
	diff <(grep -v '^ *#' $(PROM_DIR)/prometheus.yml | sed -E 's/"[a-z-]+:([0-9]+)"/"127.0.0.1:\1"/') \
	    <(grep -v '^ *#' $(PROM_DIR)/prometheus.local.yml) \
	    || { echo "test-rules: prometheus.local.yml must be prometheus.yml with every target on 127.0.0.1"; exit 1; }

check-observability: ## Validate observability/ without Docker: files parse, panels have queries, compose mounts exist
	@bash observability/check.sh

k8s: build ## Check the Kubernetes manifests the build generated (target/kubernetes/kubernetes.yml of each service)
	@scripts/check-k8s.sh

image: build ## JVM images resilient-tasks/<service>:<version> (docker, or podman; on a local Debian base if the default cannot be pulled)
	@scripts/image.sh

image-test: deps image ## Run both images against the local services (ports 8080, 8082, 9000-9002): a write, a read, a deferred write
	@scripts/image-test.sh

native-sources: ## Run Quarkus's native build steps without GraalVM (target/native-sources/), then check the Dockerfiles
	$(MVNW) $(MAVEN_ARGS) package -DskipTests -Dnative -Dquarkus.native.sources-only=true -pl api-service,write-worker -am
	@scripts/check-dockerfiles.sh

native: ## Native executables of both services (needs GraalVM or Mandrel for JDK 25; not on the build machine)
	$(MVNW) $(MAVEN_ARGS) package -DskipTests -Dnative -pl api-service,write-worker -am

observe: ## Prometheus (:9090) with the alert rules and exporters, against the running services; Ctrl-C stops it
	@scripts/observe.sh

load: ## The seed's load (USERS=100, DURATION=300 s) on the running services (or started for it), then the ledger check
	@USERS=$(or $(USERS),100) DURATION=$(or $(DURATION),300) loadtest/run-load.sh

chaos: deps build ## Chaos scenarios under load (SCENARIO=name, default all; USERS=100 DURATION=120; REPLICAS=2: replicated), checked, summarised
	@USERS=$(or $(USERS),100) DURATION=$(or $(DURATION),120) loadtest/chaos.sh $(or $(SCENARIO),all)

chaos-short: deps build ## The chaos suite in a short profile, guarantees enforced (20 users, 40 s each; what CI runs)
	@USERS=20 DURATION=40 RAMP_UP=3 FAULT_AT=8 FAULT_SECONDS=12 WARM_UP=15 CHAOS_CHECK=guarantees \
	    SUMMARY=loadtest/target/chaos-short/summary.md \
	    loadtest/chaos.sh all

bench: deps build ## Healthy throughput and latency at 10, 50 and 100 users (DURATION=60 s each) with the CPU split
	@DURATION=$(or $(DURATION),60) loadtest/bench.sh

bench-wrk: deps build ## Efficiency: cost per request kind and the mix (wrk, 100 connections), latency at 1 000 req/s, drain, memory, warm-up
	loadtest/bench/kinds.sh $(or $(ROUNDS),3) 30
	loadtest/bench/fixed-rate.sh $(or $(ROUNDS),3) 60
	loadtest/bench/drain.sh $(or $(ROUNDS),3) 10000
	loadtest/bench/memory.sh $(or $(ROUNDS),3)
	loadtest/bench/warm-up.sh $(or $(ROUNDS),3) 90

bench-replicas: deps build ## Capacity: the mix (wrk, 100 connections) against one API replica and two behind HAProxy, side by side
	loadtest/bench/replicas.sh $(or $(ROUNDS),3) 2

overload: deps build ## Own load: a cold start under 100 connections, 100/400 connections (admission), 300 000 tasks listed (needs wrk)
	loadtest/bench/cold-start.sh $(or $(ROUNDS),3) 60
	loadtest/bench/overload.sh $(or $(ROUNDS),3) 60
	loadtest/bench/big-list.sh 20

fmt: ## Format the Java sources (verify fails on drift)
	$(MVNW) $(MAVEN_ARGS) -q spotless:apply

clean: ## Remove build output
	$(MVNW) $(MAVEN_ARGS) -q clean
