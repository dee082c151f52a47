// Prints the folder-level import graph of src-main and any cycle in it, between folders or between files. Every
// import counts: static, type-only, `export … from`, `import()` and `import('…')` types.
// Usage: node scripts/folder-graph.mjs [--edges]
import ts from 'typescript';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';

const root = resolve('src-main');
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.tsx?$/.test(name)) files.push(path);
  }
})(root);

/** The top-level part a file belongs to: its folder, or its own name for a file at the top. */
const part = (file) => {
  const steps = relative(root, file).split('/');
  return steps.length === 1 ? steps[0].replace(/\.tsx?$/, '') : steps[0];
};

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function importsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specs = [];
  (function visit(node) {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specs.push(node.moduleSpecifier.text);
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specs.push(node.arguments[0].text);
    }
    if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      specs.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  })(source);
  return specs.map((spec) => resolveImport(file, spec)).filter((target) => target?.startsWith(root));
}

/** Tarjan's strongly connected components with more than one member: the cycles. */
function cycles(graph) {
  let next = 0;
  const stack = [];
  const onStack = new Set();
  const index = new Map();
  const low = new Map();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const folders = new Map();
const fileGraph = new Map();
const reasons = new Map();
for (const file of files) {
  const from = relative(root, file);
  fileGraph.set(from, new Set());
  for (const target of importsOf(file)) {
    const to = relative(root, target);
    fileGraph.get(from).add(to);
    const [a, b] = [part(file), part(target)];
    if (a === b) continue;
    if (!folders.has(a)) folders.set(a, new Set());
    folders.get(a).add(b);
    const key = `${a} -> ${b}`;
    if (!reasons.has(key)) reasons.set(key, []);
    reasons.get(key).push(`${from} -> ${to}`);
  }
}

if (process.argv.includes('--edges')) {
  for (const [a, targets] of [...folders].sort())
    console.log(`${a.padEnd(18)} -> ${[...targets].sort().join(' ')}`);
}
const folderCycles = cycles(folders);
console.log(`folder cycles: ${folderCycles.length || 'none'}`);
for (const cycle of folderCycles) {
  console.log(`  ${cycle.join(', ')}`);
  for (const a of cycle)
    for (const b of cycle) for (const why of reasons.get(`${a} -> ${b}`) ?? []) console.log(`    ${why}`);
}
const fileCycles = cycles(fileGraph);
console.log(`file cycles: ${fileCycles.length || 'none'}`);
for (const cycle of fileCycles) console.log(`  ${cycle.join(', ')}`);
process.exitCode = folderCycles.length || fileCycles.length ? 1 : 0;
