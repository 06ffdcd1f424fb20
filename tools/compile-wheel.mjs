// Compile the calc wheel's modules to bytecode with the Pyodide the site ships, so a reader's
// browser imports calc without compiling it (about half of calc's import time).
//
//   node tools/compile-wheel.mjs IN.whl OUT.whl
//
// Every calc/*.py becomes calc/*.pyc: an unchecked hash-based .pyc (PEP 552; nothing compares it
// with a source file), compiled at optimize level 2 (no docstrings or asserts; calc reads neither).
// The page imports the wheel with zipimport, which loads .pyc files without their source. The
// .dist-info files are copied, with RECORD rewritten for the new members. Every module is then
// imported from the written wheel in the same interpreter, so a wheel that would not import in
// the browser fails the build. Prints one JSON line: Python version, magic number, module count.
import { loadPyodide } from "../node_modules/pyodide/pyodide.mjs";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node tools/compile-wheel.mjs IN.whl OUT.whl");
  process.exit(2);
}
const indexURL = fileURLToPath(new URL("../node_modules/pyodide/", import.meta.url));
const py = await loadPyodide({ indexURL, stdout: () => {}, stderr: (m) => console.error(m) });
py.FS.writeFile("/tmp/in.whl", readFileSync(input));
const result = py.runPython(`
import base64, hashlib, importlib, importlib.util, json, pkgutil, sys, zipfile
from importlib._bootstrap_external import _code_to_hash_pyc

def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"

src = zipfile.ZipFile("/tmp/in.whl")
members, record_name, compiled = [], None, 0
for info in src.infolist():
    data = src.read(info)
    if info.filename.endswith(".dist-info/RECORD"):
        record_name = info
        continue
    if info.filename.endswith(".py"):
        code = compile(data, info.filename, "exec", dont_inherit=True, optimize=2)
        data = bytes(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))
        info = zipfile.ZipInfo(info.filename + "c", info.date_time)
        compiled += 1
    members.append((info, data))
if record_name is None:
    raise SystemExit("the wheel has no RECORD")
record = "\\n".join([record_line(i.filename, d) for i, d in members] + [f"{record_name.filename},,", ""])
members.append((record_name, record.encode()))
with zipfile.ZipFile("/tmp/out.whl", "w") as dst:
    for info, data in members:
        out = zipfile.ZipInfo(info.filename, info.date_time)
        out.external_attr = info.external_attr or (0o644 << 16)
        out.compress_type = zipfile.ZIP_DEFLATED
        dst.writestr(out, data, compresslevel=9)

sys.path.insert(0, "/tmp/out.whl")
import calc
names = [m.name for m in pkgutil.walk_packages(calc.__path__, "calc.") if not m.name.endswith(".__main__")]
for name in names:
    importlib.import_module(name)
if not calc.__spec__.origin.endswith(".pyc"):
    raise SystemExit(f"calc was imported from {calc.__spec__.origin}, not from its bytecode")
json.dumps({"python": sys.version.split()[0], "magic": importlib.util.MAGIC_NUMBER.hex(),
            "compiled": compiled, "imported": len(names) + 1})
`);
writeFileSync(output, py.FS.readFile("/tmp/out.whl"));
console.log(result);
