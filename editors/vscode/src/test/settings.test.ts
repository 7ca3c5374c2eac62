import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

import {
  CLIENT_ONLY_KEYS,
  DEFAULTS,
  readServerSettings,
  type SettingReader,
  toConfigurationSection,
  toInitializationOptions,
} from "../settings";

/** A reader over a flat map of keys relative to `codeqa.`, like WorkspaceConfiguration.get. */
function reader(values: Record<string, unknown>): SettingReader {
  return (key) => values[key];
}

const manifest = JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"),
) as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } };
const contributed = manifest.contributes.configuration.properties;

describe("readServerSettings", () => {
  it("uses the defaults when nothing is set", () => {
    const { settings, problems } = readServerSettings(reader({}));
    assert.deepEqual(settings, DEFAULTS);
    assert.deepEqual(problems, []);
  });

  it("reads every key the user sets", () => {
    const { settings, problems } = readServerSettings(
      reader({
        "completion.enable": false,
        "diagnostics.enable": false,
        suggestions: 3,
        threshold: 0.25,
        debounceMs: 0,
        modelPath: "  /models/mine  ",
        "inline.enable": false,
        "inline.delayMs": 50,
        "inline.manualOnly": true,
      }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      completion: { enable: false },
      diagnostics: { enable: false },
      suggestions: 3,
      threshold: 0.25,
      debounceMs: 0,
      modelPath: "/models/mine",
      inline: { enable: false, delayMs: 50, manualOnly: true },
    });
  });

  it("falls back per key on bad values and names each one", () => {
    const { settings, problems } = readServerSettings(
      reader({
        "completion.enable": "yes",
        suggestions: 2.5,
        threshold: 1.5,
        debounceMs: -1,
        modelPath: 42,
        "inline.delayMs": 20000,
      }),
    );
    assert.deepEqual(settings, DEFAULTS);
    assert.equal(problems.length, 6);
    assert.match(problems[5], /^codeqa\.inline\.delayMs: expected an integer in \[0, 10000\], got 20000/);
    assert.match(problems[0], /^codeqa\.completion\.enable: .*"yes"/);
    assert.match(problems[1], /^codeqa\.suggestions: expected an integer in \[1, 20\], got 2\.5/);
    assert.match(problems[2], /^codeqa\.threshold: .*1\.5/);
    assert.match(problems[3], /^codeqa\.debounceMs: .*-1/);
    assert.match(problems[4], /^codeqa\.modelPath: /);
  });

  it("treats an empty model path as the default model", () => {
    assert.equal(readServerSettings(reader({ modelPath: "   " })).settings.modelPath, null);
  });
});

describe("server payloads", () => {
  it("nests initializationOptions under the codeqa section", () => {
    const opts = toInitializationOptions({ ...DEFAULTS, suggestions: 7, threshold: 0.4 });
    assert.deepEqual(opts, {
      codeqa: {
        completion: { enable: true },
        diagnostics: { enable: true },
        suggestions: 7,
        debounceMs: 200,
        inline: { enable: true, delayMs: 200, manualOnly: false },
        threshold: 0.4,
      },
    });
  });

  it("leaves unset optional values out so the server's defaults apply", () => {
    const section = toConfigurationSection(DEFAULTS);
    assert.equal("threshold" in section, false);
    assert.equal("modelPath" in section, false);
  });
});

describe("package.json contributes", () => {
  const serverKeys = Object.keys(contributed)
    .map((k) => k.slice("codeqa.".length))
    .filter((k) => !CLIENT_ONLY_KEYS.includes(k));

  it("declares exactly the keys the server accepts, plus the client-only ones", () => {
    for (const key of CLIENT_ONLY_KEYS) assert.ok(`codeqa.${key}` in contributed, key);
    const read: string[] = [];
    readServerSettings((key) => {
      read.push(key);
      return undefined;
    });
    assert.deepEqual([...serverKeys].sort(), [...read].sort());
  });

  it("has the same defaults as the mapping", () => {
    const fromManifest = readServerSettings((key) => {
      const value = contributed[`codeqa.${key}`].default;
      return value === "" ? undefined : value;
    });
    assert.deepEqual(fromManifest.problems, []);
    assert.deepEqual(fromManifest.settings, DEFAULTS);
  });
});
