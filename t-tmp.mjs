import { caniemail } from 'caniemail';
import css from '@adobe/css-tools';
for (const n of [500, 1000, 2000]) {
  const s = Array.from({length:n}, (_, i) => `.c${i} { display: flex; color: red; border-radius: 4px; }`).join('\n');
  let t = Date.now(); css.parse(s); const p = Date.now()-t;
  t = Date.now(); const r = caniemail({clients:['*'], css: s}); 
  console.log(n, s.length, 'parse', p, 'caniemail', Date.now()-t);
}
