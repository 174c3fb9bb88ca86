// A symbol's page: signature, docstring, source excerpt with line numbers, callers and
// callees (with depth), subclasses and overriders, its neighbourhood as a graph, and
// its history across versions.
import { useState, useCallback } from 'preact/hooks';
import { gql, rest } from './api.js';
import { html, Kind, Link, Loading, ErrorBox, Empty, nodeHref, navigate, useLoad, enc, when } from './ui.js';
import { NeighbourGraph } from './graph.js';

const F = 'id name qualifiedName nodeType filePath lineNumber';

function NodeList({ project, nodes, empty }) {
  if (!nodes.length) return html`<${Empty}>${empty}</${Empty}>`;
  return html`<ul class="nodes">${nodes.map((n) => html`<li key=${n.id}><${Kind} kind=${n.nodeType} />
    <${Link} href=${nodeHref(project, n.id)}>${n.qualifiedName || n.name}</${Link}>
    <span class="muted small">${n.filePath}:${n.lineNumber}</span></li>`)}</ul>`;
}

function Source({ project, node }) {
  const start = Math.max(1, node.lineNumber - 3);
  const end = Math.min(node.endLine || node.lineNumber, start + 199);
  const src = useLoad(() => rest(`/api/v1/projects/${enc(project)}/source?path=${enc(node.filePath)}&start=${start}&end=${end}`),
    [project, node.id]);
  if (src.loading) return html`<${Loading} what="Reading the source" />`;
  if (src.error) return html`<p class="muted">Source not available: ${src.error.message}</p>`;
  return html`<pre class="source" aria-label="source"><code>${src.data.lines.map((l, i) => html`<span class=${
    src.data.start + i === node.lineNumber ? 'line hl' : 'line'}><span class="ln" aria-hidden="true">${src.data.start + i}</span>${l}\n</span>`)}</code></pre>`;
}

export function Symbol({ project, id }) {
  const [depth, setDepth] = useState(1);
  const info = useLoad(() => gql(`query($p: String, $id: ID!, $d: Int) {
    node(project: $p, id: $id) { ${F} endLine language signature docstring typeName parent { ${F} }
      callers(depth: $d, limit: 200) { ${F} } callees(depth: $d, limit: 200) { ${F} }
      incoming: relationships(types: [INHERITS, IMPLEMENTS, OVERRIDES], direction: INCOMING) { type source { ${F} } } }
    blame(project: $p, id: $id) { createdIn { id message commit created } changedIn { id message commit created } uncommittedChange
      renames { version { id message } fromFile fromName } }
  }`, { p: project, id, d: depth }), [project, id, depth]);
  const [extra, setExtra] = useState([]);
  const expand = useCallback(async (nid) => {
    try {
      const d = await gql(`query($p: String, $id: ID!) { node(project: $p, id: $id) { ${F} callers(limit: 30) { ${F} } callees(limit: 30) { ${F} } } }`,
        { p: project, id: nid });
      const n = d.node;
      if (!n) return;
      setExtra((old) => old.concat(n.callers.map((c) => ({ from: c, to: n })), n.callees.map((c) => ({ from: n, to: c }))));
    } catch { /* a node that went away */ }
  }, [project]);
  if (info.loading && !info.data) return html`<${Loading} what="Loading the symbol" />`;
  if (info.error) return html`<${ErrorBox} error=${info.error} />`;
  const n = info.data.node;
  if (!n) return html`<${Empty}>No node ${id} in ${project}. It may have been renamed or deleted.</${Empty}>`;
  const b = info.data.blame;
  const near = depth === 1 ? [...n.callers.map((c) => ({ from: c, to: n })), ...n.callees.map((c) => ({ from: n, to: c }))] : [];
  return html`<article class="symbol" aria-labelledby="sym-title">
    <header class="row">
      <${Kind} kind=${n.nodeType} />
      <h1 id="sym-title">${n.qualifiedName || n.name}</h1>
      <span class="muted">${n.filePath}:${n.lineNumber} · ${String(n.language).toLowerCase()}</span>
    </header>
    ${n.parent && html`<p class="muted small">in <${Link} href=${nodeHref(project, n.parent.id)}>${n.parent.qualifiedName}</${Link}></p>`}
    ${n.signature && html`<pre class="sig"><code>${n.signature}</code></pre>`}
    ${n.docstring && html`<p class="doc">${n.docstring}</p>`}
    <div class="cols">
      <section aria-labelledby="callers-title">
        <div class="row"><h2 id="callers-title">Callers <span class="count">${n.callers.length}</span></h2>
          <label class="small">depth <select value=${depth} onChange=${(e) => setDepth(Number(e.target.value))}>
            ${[1, 2, 3].map((d) => html`<option value=${d}>${d}</option>`)}</select></label></div>
        <${NodeList} project=${project} nodes=${n.callers} empty="Nothing calls it." />
      </section>
      <section aria-labelledby="callees-title">
        <h2 id="callees-title">Callees <span class="count">${n.callees.length}</span></h2>
        <${NodeList} project=${project} nodes=${n.callees} empty="It calls nothing the graph knows." />
      </section>
    </div>
    ${n.incoming.length > 0 && html`<section><h2>Subclasses, implementers and overriders</h2>
      <${NodeList} project=${project} nodes=${n.incoming.map((r) => r.source)} empty="" /></section>`}
    <section aria-labelledby="graph-title"><h2 id="graph-title">Neighbourhood</h2>
      <p class="muted small">Click a node to expand it, double-click to open it. Scroll to zoom, drag to pan.</p>
      <${NeighbourGraph} center=${n} edges=${near.concat(extra)} onExpand=${expand}
        onOpen=${(nid) => navigate(nodeHref(project, nid))} label=${`callers and callees of ${n.name}`} />
    </section>
    <section aria-labelledby="src-title"><h2 id="src-title">Source</h2><${Source} project=${project} node=${n} /></section>
    <section aria-labelledby="hist-title"><h2 id="hist-title">History</h2>
      ${b ? html`<ul class="plain">
        <li>Created in ${b.createdIn ? html`version ${b.createdIn.id} ${b.createdIn.message ? `(“${b.createdIn.message}”)` : ''} ${when(b.createdIn.created)}` : 'the oldest version kept'}</li>
        <li>Last changed in ${b.changedIn ? html`version ${b.changedIn.id} ${b.changedIn.message ? `(“${b.changedIn.message}”)` : ''} ${when(b.changedIn.created)}` : 'no version since'}</li>
        ${b.uncommittedChange && html`<li><strong>Changed since the last version</strong> (unsaved in history)</li>`}
        ${b.renames.map((r) => html`<li>Moved here in version ${r.version ? r.version.id : '?'}${r.version && r.version.message ? ` (“${r.version.message}”)` : ''}: before, <code>${r.fromName}</code> in ${r.fromFile}</li>`)}
      </ul>` : html`<p class="muted">This project keeps no versions.</p>`}
      <${Link} href=${`/p/${enc(project)}/versions`}>All versions</${Link}>
    </section>
  </article>`;
}
