// Build-time math: reads [{tex, display}] as JSON on stdin, writes [html] on stdout, rendered
// by the vendored KaTeX (node_modules/katex), so pages need KaTeX's CSS and fonts only.
const katex = require("katex");
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const items = JSON.parse(input);
  const out = items.map(({ tex, display }) =>
    katex.renderToString(tex, { displayMode: display, throwOnError: true, output: "html" }));
  process.stdout.write(JSON.stringify(out));
});
