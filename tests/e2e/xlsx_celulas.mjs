// Prints every cell of an .xlsx workbook, one per line, as
// "<sheet name>!<ref> s=<style> <n|t> <value>": the value as the cell holds
// it, text from the shared strings table or written inline alike (a
// workbook of constant memory writes its text inline), so two workbooks
// with the same cells print the same lines whatever their text storage.
// usage: node xlsx_celulas.mjs FILE.xlsx
import { execFileSync } from 'node:child_process';

const file = process.argv[2];
const part = (name) => {
  try {
    return execFileSync('unzip', ['-p', file, name], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString('utf8');
  } catch {
    return '';
  }
};
const unxml = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
  .replace(/&apos;/g, "'").replace(/&#x([0-9A-Fa-f]+);/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))
  .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(Number(d))).replace(/&amp;/g, '&');
// the text of an <si> or <is>: its <t> runs joined
const texto = (x) => [...x.matchAll(/<t(?: [^>]*)?>([\s\S]*?)<\/t>|<t(?: [^>]*)?\/>/g)]
  .map((m) => unxml(m[1] ?? '')).join('');
const shared = [...part('xl/sharedStrings.xml').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) => texto(m[1]));
const sheets = [...part('xl/workbook.xml').matchAll(/<sheet [^>]*name="([^"]*)"[^>]*\/>/g)]
  .map((m) => unxml(m[1]));
if (sheets.length === 0) {
  console.error(`${file}: não é uma planilha`);
  process.exit(1);
}
const out = [];
sheets.forEach((name, i) => {
  const xml = part(`xl/worksheets/sheet${i + 1}.xml`);
  for (const m of xml.matchAll(/<c r="([A-Z]+[0-9]+)"([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const attrs = m[2];
    const body = m[3] ?? '';
    const s = (attrs.match(/ s="([0-9]+)"/) ?? [, '0'])[1];
    const t = (attrs.match(/ t="([a-zA-Z]+)"/) ?? [, 'n'])[1];
    const v = (body.match(/<v>([\s\S]*?)<\/v>/) ?? [, ''])[1];
    let val;
    if (t === 's') val = `t ${shared[Number(v)]}`;
    else if (t === 'inlineStr') val = `t ${texto((body.match(/<is>([\s\S]*?)<\/is>/) ?? [, ''])[1])}`;
    else if (t === 'str') val = `t ${unxml(v)}`;
    else val = `n ${v}`;
    out.push(`${name}!${m[1]} s=${s} ${JSON.stringify(val)}`);
  }
});
console.log(out.join('\n'));
