import { readFileSync } from 'node:fs';
import { checkHtml } from './src-main/checks/html-check.js';
for (const f of ['/tmp/style340.html','/tmp/style1.html']) {
const html = readFileSync(f,'utf8');
const t = Date.now(); const r = checkHtml(html); console.log(f, Date.now()-t, r.Warnings.length);
}
