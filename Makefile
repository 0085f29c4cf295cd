# The two commands of the README are `make run` and `make test`.
.PHONY: run test bench build web vet fmt docs clean

run: ## run the whole shop in one process (embedded); pass ARGS="-mode server" for real servers
	scripts/run.sh $(ARGS)

test: ## every test: unit, integration against real servers, storefront, browser end-to-end
	scripts/test.sh

bench: ## benchmarks, each beside its raw baseline, printed as a table
	scripts/bench.sh

build: web
	go build -o bin/ ./cmd/...

web:
	cd web && npm ci --no-audit --no-fund && npm run build

vet:
	go vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

docs: ## regenerate the event catalogue and configuration reference
	go run ./cmd/docgen

clean:
	rm -rf bin test-output
