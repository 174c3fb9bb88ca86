// The activity feed: definitions created, updated and deleted as they happen, grouped
// per saved file, filterable, with a pause button and a rate counter. Events arrive on
// graphql-ws subscriptions; the page redraws at most once a frame and keeps the latest
// 300 groups, so a burst of thousands of events a second leaves it responsive.
import { useEffect, useRef, useState } from 'preact/hooks';
import { subscribe } from './api.js';
import { html, Link, Kind, nodeHref, Empty } from './ui.js';

const KEEP = 300;
const FIELDS = 'id name qualifiedName nodeType filePath lineNumber';

// A gitignore-style glob, as the server's filters read them: * within a segment, ** across.
function globRe(glob) {
  const s = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*')
    .replace(/\u0000/g, '.*').replace(/\?/g, '.');
  return new RegExp(`(^|/)${s}$`);
}

export function Activity({ q }) {
  const [groups, setGroups] = useState([]);
  const [paused, setPaused] = useState(false);
  const [rate, setRate] = useState(0);
  const [filter, setFilter] = useState({ project: q.get('project') || '', kind: '', glob: '' });
  const [error, setError] = useState(null);
  const pending = useRef([]);
  const counts = useRef([]);
  const pausedRef = useRef(false);
  pausedRef.current = paused;

  useEffect(() => {
    let frame = 0;
    const flush = () => {
      frame = 0;
      if (pausedRef.current || pending.current.length === 0) return;
      const batch = pending.current;
      pending.current = [];
      setGroups((old) => {
        const next = old.slice(0, KEEP);
        for (const ev of batch) {
          const key = `${ev.project}\u0000${ev.file}`;
          const g = next[0];
          // One save: events of one file within half a second.
          if (g && g.key === key && ev.at - g.last < 500) {
            next[0] = { ...g, last: ev.at, items: [ev, ...g.items].slice(0, 50), count: g.count + 1 };
          } else {
            next.unshift({ key, id: `${ev.at}-${Math.random()}`, project: ev.project, file: ev.file, first: ev.at,
              last: ev.at, items: [ev], count: 1 });
          }
        }
        return next.slice(0, KEEP);
      });
    };
    const push = (ev) => {
      counts.current.push(ev.at);
      if (pausedRef.current) return;
      pending.current.push(ev);
      if (pending.current.length > 5000) pending.current.splice(0, pending.current.length - 5000);
      if (!frame) frame = requestAnimationFrame(flush);
    };
    const now = () => Date.now();
    const vars = filter.project ? { p: filter.project } : {};
    const arg = filter.project ? '(project: $p)' : '';
    const decl = filter.project ? '($p: String)' : '';
    const stops = [
      subscribe(`subscription${decl} { nodeCreated${arg} { project ${FIELDS} } }`, vars,
        ({ nodeCreated: n }) => push({ at: now(), change: 'created', project: n.project, file: n.filePath, node: n }), setError),
      subscribe(`subscription${decl} { nodeUpdated${arg} { project node { ${FIELDS} } } }`, vars,
        ({ nodeUpdated: e }) => push({ at: now(), change: 'updated', project: e.project, file: e.node.filePath, node: e.node }), setError),
      subscribe(`subscription${decl} { nodeDeleted${arg} { project id filePath } }`, vars,
        ({ nodeDeleted: e }) => push({ at: now(), change: 'deleted', project: e.project, file: e.filePath, node: { id: e.id } }), setError),
    ];
    const timer = setInterval(() => {
      const cut = Date.now() - 5000;
      counts.current = counts.current.filter((t) => t >= cut);
      setRate(counts.current.length / 5);
    }, 1000);
    return () => { stops.forEach((s) => s()); clearInterval(timer); if (frame) cancelAnimationFrame(frame); };
  }, [filter.project]);

  const re = filter.glob ? globRe(filter.glob) : null;
  const shown = groups.filter((g) => !re || re.test(g.file));
  const kindOk = (ev) => !filter.kind || String(ev.node.nodeType || '').toLowerCase() === filter.kind;
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.target.value });
  return html`<section aria-labelledby="activity-title">
    <div class="row">
      <h1 id="activity-title">Activity</h1>
      <span class="spacer"></span>
      <span class="rate" aria-label="events per second" data-testid="rate">${rate.toFixed(1)} events/s</span>
      <button onClick=${() => setPaused(!paused)} aria-pressed=${paused}>${paused ? 'Resume' : 'Pause'}</button>
      <button class="ghost" onClick=${() => setGroups([])}>Clear</button>
    </div>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Project <input value=${filter.project} onChange=${set('project')} placeholder="all" /></label>
      <label>Kind <select value=${filter.kind} onChange=${set('kind')}>
        ${['', 'function', 'method', 'class', 'variable', 'constant', 'field', 'module'].map((k) => html`<option value=${k}>${k || 'any'}</option>`)}
      </select></label>
      <label>Files <input value=${filter.glob} onInput=${set('glob')} placeholder="e.g. src/**/*.py" /></label>
    </form>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    ${paused && html`<p class="note" role="status">Paused: new events are counted, not shown.</p>`}
    ${shown.length === 0 ? html`<${Empty}>Waiting for changes. Save a file in a watched project and it shows up here.</${Empty}>`
      : html`<ol class="feed" aria-label="changes, newest first">${shown.map((g) => html`<li key=${g.id} class="group">
          <div class="group-head"><code>${g.file}</code> <span class="muted small">${g.project} ·
            ${new Date(g.last).toLocaleTimeString()} · ${g.count} change${g.count === 1 ? '' : 's'}</span></div>
          <ul>${g.items.filter(kindOk).map((ev) => html`<li class=${`ev ev-${ev.change}`}>
            <span class="change">${ev.change}</span>
            ${ev.node.nodeType && html`<${Kind} kind=${ev.node.nodeType} />`}
            ${ev.change === 'deleted' ? html`<code>${ev.node.id}</code>`
              : html`<${Link} href=${nodeHref(ev.project, ev.node.id)}>${ev.node.qualifiedName || ev.node.name}</${Link}>
                <span class="muted small">:${ev.node.lineNumber}</span>`}
          </li>`)}</ul></li>`)}</ol>`}
  </section>`;
}
