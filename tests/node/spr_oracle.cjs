// The oracle for platforms/serverless.py: serverless-python-requirements' own getRequirements
// and filterRequirementsFile (lib/pip.js of npm serverless-python-requirements 6.1.2, installed
// by scripts/test into node_modules/, never committed). pip.js exports neither, so its source is
// compiled as the module it is (same file name, so its own require() calls resolve) with one
// line added that hands the two functions out.
// Usage: node tests/node/spr_oracle.cjs < jobs.json, jobs = [[requirements file, output file]...]
// -> prints [{ok: text written} | {error: code or name, path, message}, ...] as JSON.
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

const file = require.resolve("serverless-python-requirements/lib/pip.js", {
  paths: [path.join(__dirname, "..", "..")],
});
const source =
  fs.readFileSync(file, "utf8") +
  "\nmodule.exports.__oracle = { getRequirements, filterRequirementsFile };\n";
const compiled = new Module(file, module);
compiled.filename = file;
compiled.paths = Module._nodeModulePaths(path.dirname(file));
compiled._compile(source, file);
const { filterRequirementsFile } = compiled.exports.__oracle;

// what filterRequirementsFile reads from the plugin instance: the default options
// (index.js: noDeploy is []), and loggers
const plugin = {
  options: { noDeploy: [] },
  serverless: { cli: { log() {} } },
  log: { warning() {}, info() {} },
};
const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
const results = jobs.map(([requirements, target]) => {
  try {
    filterRequirementsFile(requirements, target, plugin);
    return { ok: fs.readFileSync(target, "utf8") };
  } catch (err) {
    return {
      error: err.code || err.name,
      path: err.path || "",
      message: String(err.message).split("\n")[0],
    };
  }
});
process.stdout.write(JSON.stringify(results) + "\n");
