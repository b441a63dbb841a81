# beadhub — the front door. `make run` starts a server, `make test` runs the tests.
BUN := node_modules/.bin/bun
# Without BEADHUB_DATABASE_URL (or DATABASE_URL) `make run` uses the embedded
# database and in-process Redis (README "Zero-config mode").
DATABASE_URL_SET := $(strip $(BEADHUB_DATABASE_URL)$(DATABASE_URL))

.PHONY: install run test build bench migrate lint clean

# A stamp file, not the bun symlink: touching a symlink touches its target.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

run: install
ifneq ($(DATABASE_URL_SET),)
	$(BUN) src/db/ensure-database.ts
endif
	$(BUN) src/main.ts serve

test: install
	$(BUN) test --timeout 30000

build: install
	$(BUN) build --compile --bytecode --format=esm --minify-syntax src/main.ts --outfile dist/beadhub

bench: build
	$(BUN) bench/run.ts

migrate: install
ifneq ($(DATABASE_URL_SET),)
	$(BUN) src/db/ensure-database.ts
endif
	$(BUN) src/main.ts migrate

lint: install
	node_modules/.bin/tsc --noEmit -p .
	node_modules/.bin/tsc --noEmit -p ui

clean:
	rm -rf dist bench/out
