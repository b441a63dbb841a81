# beadhub — the front door. `make run` starts a server, `make test` runs the tests.
BUN := node_modules/.bin/bun
# Without BEADHUB_DATABASE_URL (or DATABASE_URL) `make run` uses the embedded
# database and in-process Redis (README "Zero-config mode"); with one, the
# binary's --create-database creates that database when it is missing. The
# recipes are silent (@) so a bad setting prints the program's one line.

.PHONY: install run test build bench migrate lint clean

# A stamp file, not the bun symlink: touching a symlink touches its target.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

run: install
	@$(BUN) src/main.ts serve --create-database

# Parallel, longest files first, nothing left behind (test/run.ts). Extra
# arguments for it (files, filters, bun test options): make test ARGS="…".
test: install
	@$(BUN) test/run.ts $(ARGS)

# The migrated embedded cluster rides along (src/embedded/cluster.ts): a first
# zero-config start unpacks it instead of running initdb and the migrations.
build: install
	$(BUN) src/embedded/build-cluster.ts dist/cluster
	$(BUN) build --compile --bytecode --format=esm --minify-syntax src/main.ts dist/cluster/*.tar.gz --outfile dist/beadhub

bench: build
	$(BUN) bench/run.ts

migrate: install
	@$(BUN) src/main.ts migrate --create-database

lint: install
	node_modules/.bin/tsc --noEmit -p .
	node_modules/.bin/tsc --noEmit -p ui

clean:
	rm -rf dist bench/out
