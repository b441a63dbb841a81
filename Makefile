# beadhub — the front door. `make run` starts a server, `make test` runs the tests.
BUN := node_modules/.bin/bun
export BEADHUB_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/beadhub
export BEADHUB_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run test build bench migrate lint clean

# A stamp file, not the bun symlink: touching a symlink touches its target.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

run: install
	$(BUN) src/db/ensure-database.ts
	$(BUN) src/main.ts serve

test: install
	$(BUN) test --timeout 30000

build: install
	$(BUN) build --compile --bytecode --format=esm --minify-syntax src/main.ts --outfile dist/beadhub

bench: build
	$(BUN) bench/run.ts

migrate: install
	$(BUN) src/db/ensure-database.ts
	$(BUN) src/main.ts migrate

lint: install
	node_modules/.bin/tsc --noEmit -p .

clean:
	rm -rf dist bench/out
