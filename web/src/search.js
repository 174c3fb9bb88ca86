// Streaming search: results appear batch by batch while typing (debounced; each new
// query stops the last), with kind, language and path filters, the reasons each hit
// matched, and keyboard navigation (↑ ↓ to move, Enter to open).
import { useEffect, useRef, useState } from 'preact/hooks';
import { subscribe } from './api.js';
import { html, Kind, Link, nodeHref, navigate, Empty } from './ui.js';

const KINDS = ['', 'FUNCTION', 'METHOD', 'CLASS', 'INTERFACE', 'STRUCT', 'VARIABLE', 'CONSTANT', 'MODULE'];
const LANGS = ['', 'PYTHON', 'JAVASCRIPT', 'TYPESCRIPT', 'GO', 'JAVA', 'RUST', 'C', 'CPP'];

export function Search({ project, q }) {
  const [text, setText] = useState(q.get('q') || '');
  const [kind, setKind] = useState('');
  const [lang, setLang] = useState('');
  const [path, setPath] = useState('');
  const [hits, setHits] = useState([]);
  const [status, setStatus] = useState('');
  const [sel, setSel] = useState(0);
  const [error, setError] = useState(null);
  const input = useRef(null);
  useEffect(() => { input.current?.focus(); }, []);
  useEffect(() => {
    const query = text.trim();
    const url = `/p/${encodeURIComponent(project)}/search${query ? `?q=${encodeURIComponent(query)}` : ''}`;
    history.replaceState(null, '', url);
    if (!query) { setHits([]); setStatus(''); return undefined; }
    let stop = null;
    const started = performance.now();
    const timer = setTimeout(() => {
      setStatus('Searching…');
      setError(null);
      let got = [];
      const options = { k: 30, batchSize: 10 };
      if (kind) options.nodeType = [kind];
      if (lang) options.language = [lang];
      if (path) options.path = path;
      stop = subscribe(`subscription($p: String, $q: String!, $o: SearchOptions) {
        searchStream(project: $p, query: $q, options: $o) { index last total elapsedMs
          hits { id name filePath lineNumber score reasons node { nodeType qualifiedName signature } } } }`,
      { p: project, q: query, o: options }, ({ searchStream: b }) => {
        got = b.index === 0 ? b.hits : got.concat(b.hits);
        setHits(got);
        setSel(0);
        const ms = Math.round(performance.now() - started);
        setStatus(b.last ? `${got.length} results in ${ms} ms` : `batch ${b.index + 1}… ${got.length} so far`);
      }, (e) => { setError(e); setStatus(''); });
    }, 120);
    return () => { clearTimeout(timer); if (stop) stop(); };
  }, [text, kind, lang, path, project]);
  const onKey = (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setSel(Math.min(sel + 1, hits.length - 1)); }
    if (e.key === 'ArrowUp') { e.preventDefault(); setSel(Math.max(sel - 1, 0)); }
    if (e.key === 'Enter' && hits[sel]) navigate(nodeHref(project, hits[sel].id));
  };
  return html`<section aria-labelledby="search-title">
    <h1 id="search-title">Search <span class="muted">${project}</span></h1>
    <div class="searchbar">
      <label class="sr-only" for="q">Search the code</label>
      <input id="q" ref=${input} type="search" value=${text} onInput=${(e) => setText(e.target.value)} onKeyDown=${onKey}
        placeholder="a name, or what the code does: “parse a config file”" autocomplete="off"
        role="combobox" aria-expanded=${hits.length > 0} aria-controls="results"
        aria-activedescendant=${hits[sel] ? `hit-${hits[sel].id}` : undefined} />
    </div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Kind <select value=${kind} onChange=${(e) => setKind(e.target.value)}>
        ${KINDS.map((k) => html`<option value=${k}>${k ? k.toLowerCase() : 'any'}</option>`)}</select></label>
      <label>Language <select value=${lang} onChange=${(e) => setLang(e.target.value)}>
        ${LANGS.map((k) => html`<option value=${k}>${k ? k.toLowerCase() : 'any'}</option>`)}</select></label>
      <label>Path <input value=${path} onInput=${(e) => setPath(e.target.value)} placeholder="glob, e.g. json/**" /></label>
    </form>
    <p class="muted small" role="status" data-testid="search-status">${status}</p>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    ${text && !hits.length && !status.startsWith('Search') && !error ? html`<${Empty}>No results.</${Empty}>` : null}
    <ol id="results" class="hits" role="listbox" aria-label="results">
      ${hits.map((h, i) => html`<li key=${h.id} id=${`hit-${h.id}`} role="option" aria-selected=${i === sel}
          class=${i === sel ? 'hit selected' : 'hit'} onMouseEnter=${() => setSel(i)}>
        <div class="hit-head">${h.node && html`<${Kind} kind=${h.node.nodeType} />`}
          <${Link} href=${nodeHref(project, h.id)}>${h.node?.qualifiedName || h.name}</${Link}>
          <span class="score" title="score">${h.score.toFixed(3)}</span></div>
        ${h.node?.signature && html`<code class="sig">${h.node.signature}</code>`}
        <div class="muted small">${h.filePath}:${h.lineNumber} · ${h.reasons.join(', ')}</div>
      </li>`)}
    </ol>
  </section>`;
}
