// Projects overview: every project with its languages, size, definitions and edges by
// kind, resolution rate, its last index run, and a live progress bar while one runs.
import { useEffect, useState } from 'preact/hooks';
import { rest, subscribe } from './api.js';
import { html, Link, Loading, ErrorBox, Empty, fmt, useLoad, unauthorized, enc } from './ui.js';

function Progress({ p }) {
  if (!p) return null;
  const pct = p.filesTotal ? Math.round((100 * p.filesDone) / p.filesTotal) : 0;
  const eta = p.etaSeconds != null ? ` · ${Math.ceil(p.etaSeconds)} s left` : '';
  const rate = p.elapsedSeconds > 0 ? ` · ${fmt(Math.round(p.linesDone / p.elapsedSeconds))} lines/s` : '';
  return html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct}
      aria-label=${`indexing: ${p.phase}`}>
    <div class="bar" style=${`width:${pct}%`}></div>
    <span>${p.phase} ${fmt(p.filesDone)}/${fmt(p.filesTotal)} files${rate}${eta}</span></div>`;
}

function ProjectCard({ p, task, progress, onIndex }) {
  // Each card reads its statistics on its own: the list draws at once.
  const st = useLoad(() => rest(`/api/v1/projects/${enc(p.name)}`), [p.name, task?.id, task?.state]);
  const s = st.data?.stats;
  const rate = s?.references?.resolution_rate;
  const kinds = s ? Object.entries(s.nodes.by_kind).sort((a, b) => b[1] - a[1]).slice(0, 6) : [];
  const edges = s ? Object.entries(s.edges.by_kind).sort((a, b) => b[1].total - a[1].total).slice(0, 5) : [];
  const base = `/p/${enc(p.name)}`;
  return html`<article class="card project" aria-labelledby=${`p-${p.name}`}>
    <header>
      <h2 id=${`p-${p.name}`}><${Link} href=${`${base}/search`}>${p.name}</${Link}></h2>
      <span class="muted small">${p.root || ''}</span>
      ${p.watching && html`<span class="chip ok" title="saved files are re-indexed as they change">watching</span>`}
      ${p.layer && html`<span class="chip" title=${`a second work tree, stored as its differences from ${p.layer.over}'s version ${p.layer.version} (${(p.layer.commit || '').slice(0, 10)})`}>
        layer over <${Link} href=${`/p/${enc(p.layer.over)}/versions`}>${p.layer.over} v${p.layer.version}</${Link}></span>`}
    </header>
    ${s ? html`<dl class="facts">
      <div><dt>Files</dt><dd>${fmt(s.files)}</dd></div>
      <div><dt>Lines</dt><dd>${fmt(s.loc)}</dd></div>
      <div><dt>Definitions</dt><dd>${fmt(s.nodes.total)}</dd></div>
      <div><dt>Edges</dt><dd>${fmt(s.edges.total)}</dd></div>
      <div><dt>Resolved</dt><dd>${rate != null ? `${(100 * rate).toFixed(1)}%` : '–'}</dd></div>
    </dl>
    <p class="langs">${s.languages.map((l) => html`<span class="chip">${l.language} <b>${fmt(l.files)}</b></span>`)}</p>
    <details><summary>By kind</summary>
      <table class="mini"><tbody>
        ${kinds.map(([k, n]) => html`<tr><th scope="row">${k}</th><td>${fmt(n)}</td></tr>`)}
        ${edges.map(([k, e]) => html`<tr><th scope="row">${k} edges</th><td>${fmt(e.total)}</td></tr>`)}
      </tbody></table></details>` : html`<${Loading} what="Reading its statistics" />`}
    <${Progress} p=${progress} />
    <footer>
      <span class="muted small">${task ? `last index: ${task.state}${task.summary?.timing?.loc_per_second
        ? `, ${fmt(Math.round(task.summary.timing.loc_per_second))} lines/s` : ''}` : 'no index run since the server started'}</span>
      <span class="spacer"></span>
      <${Link} href=${`${base}/review`}>Review</${Link}>
      ${p.layer ? html`<${Link} href=${`/p/${enc(p.layer.over)}/versions`}>Versions of ${p.layer.over}</${Link}>`
        : html`<${Link} href=${`${base}/versions`}>Versions</${Link}>`}
      <button onClick=${() => onIndex(p.name)} disabled=${!!progress}>Re-index</button>
    </footer>
  </article>`;
}

export function Projects() {
  const list = useLoad(async () => {
    const [{ projects }, tasks] = await Promise.all([rest('/api/v1/projects'),
      rest('/api/v1/tasks').then((t) => t.tasks, () => [])]);  // a reader may not list tasks
    return { projects, tasks };
  }, []);
  const [progress, setProgress] = useState({});
  const [note, setNote] = useState(null);
  const names = (list.data?.projects || []).map((p) => p.name).join(',');
  useEffect(() => {
    if (!names) return undefined;
    const stops = names.split(',').map((name) => subscribe(
      `subscription($p: String!) { parseProgress(project: $p) { taskId project phase filesDone filesTotal linesDone elapsedSeconds etaSeconds } }`,
      { p: name }, ({ parseProgress: e }) => {
        const over = ['done', 'failed', 'cancelled'].includes(e.phase);
        setProgress((m) => ({ ...m, [e.project]: over ? null : e }));
        if (over) list.reload();
      }));
    return () => stops.forEach((s) => s());
  }, [names]);
  const onIndex = async (name) => {
    try {
      const r = await rest(`/api/v1/projects/${enc(name)}/index`, { method: 'POST', body: {} });
      setNote(`Index task ${r.task} started for ${name}.`);
    } catch (e) {
      unauthorized(e);
      setNote(e.status === 403 ? 'Re-indexing needs a writer key.' : `Could not start: ${e.message}`);
    }
  };
  if (list.loading && !list.data) return html`<${Loading} what="Loading projects" />`;
  if (list.error) return html`<${ErrorBox} error=${list.error} />`;
  const { projects, tasks } = list.data;
  const lastTask = (name) => tasks.filter((t) => t.project === name).sort((a, b) => b.id - a.id)[0];
  return html`<section aria-labelledby="projects-title">
    <h1 id="projects-title">Projects</h1>
    ${note && html`<p class="note" role="status">${note}</p>`}
    ${projects.length === 0 ? html`<${Empty}>No projects yet. Index one: <code>codegraph serve --project-root NAME=PATH</code>
      or <code>POST /api/v1/projects</code>.</${Empty}>`
      : html`<div class="grid">${projects.map((p) => html`<${ProjectCard} key=${p.name} p=${p} task=${lastTask(p.name)}
          progress=${progress[p.name]} onIndex=${onIndex} />`)}</div>`}
  </section>`;
}
