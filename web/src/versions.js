// The version timeline: versions with their commits and messages; pick two to see
// what changed between them.
import { useState } from 'preact/hooks';
import { gql } from './api.js';
import { html, Kind, Link, Loading, ErrorBox, Empty, nodeHref, useLoad, fmt, when } from './ui.js';

export function Versions({ project }) {
  const list = useLoad(() => gql(`query($p: String) { versions(project: $p) { id parent source created message commit author files nodes edges } }`,
    { p: project }), [project]);
  const [pick, setPick] = useState([]);
  const diff = useLoad(async () => {
    if (pick.length !== 2) return null;
    const [a, b] = [...pick].sort((x, y) => x - y);
    return (await gql(`query($p: String, $f: String!, $t: String) { diff(project: $p, from: $f, to: $t) {
      from to nodesAdded nodesRemoved nodesChanged nodesRenamed edgesAdded edgesRemoved
      files { path nodesAdded nodesRemoved nodesChanged }
      nodes { change moved signatureChanged before { id name qualifiedName nodeType filePath lineNumber } after { id name qualifiedName nodeType filePath lineNumber } } } }`,
    { p: project, f: String(a), t: String(b) })).diff;
  }, [project, pick.join(',')]);
  if (list.loading) return html`<${Loading} what="Loading versions" />`;
  if (list.error) return html`<${ErrorBox} error=${list.error} />`;
  const vs = list.data.versions.slice().reverse();
  if (!vs.length) return html`<${Empty}>${project} keeps no versions yet.</${Empty}>`;
  const toggle = (id) => setPick((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  const d = diff.data;
  return html`<section aria-labelledby="versions-title">
    <h1 id="versions-title">Versions <span class="muted">${project}</span></h1>
    <p class="muted small">Pick two versions to compare them.</p>
    <ol class="timeline">${vs.map((v) => html`<li key=${v.id} class=${pick.includes(v.id) ? 'picked' : ''}>
      <label><input type="checkbox" checked=${pick.includes(v.id)} onChange=${() => toggle(v.id)} />
        <strong>${v.id}</strong> ${v.message ? v.message.split('\n')[0] : v.source}</label>
      <div class="muted small">${when(v.created)} ${v.commit ? `· ${v.commit.slice(0, 10)}` : ''} ${v.author ? `· ${v.author}` : ''}
        · ${fmt(v.files)} files · ${fmt(v.nodes)} definitions</div></li>`)}</ol>
    ${pick.length === 2 && (diff.loading ? html`<${Loading} what="Comparing" />` : diff.error ? html`<${ErrorBox} error=${diff.error} />` : d && html`
      <section aria-labelledby="diff-title"><h2 id="diff-title">Version ${d.from} → ${d.to}</h2>
        <p><span class="chip ok">+${d.nodesAdded}</span> <span class="chip bad">−${d.nodesRemoved}</span>
          <span class="chip">~${d.nodesChanged}</span> <span class="chip">${d.nodesRenamed} renamed</span>
          <span class="muted small">edges +${d.edgesAdded} −${d.edgesRemoved} in ${d.files.length} files</span></p>
        <ul class="nodes">${d.nodes.slice(0, 300).map((c) => {
          const n = c.after || c.before;
          return html`<li><span class=${`change change-${c.change}`}>${c.change}</span> <${Kind} kind=${n.nodeType} />
            ${c.after ? html`<${Link} href=${nodeHref(project, n.id)}>${n.qualifiedName}</${Link}>` : html`<span>${n.qualifiedName}</span>`}
            ${c.signatureChanged && html`<span class="chip warn">signature</span>`} ${c.moved && html`<span class="chip">moved</span>`}
            <span class="muted small">${n.filePath}:${n.lineNumber}</span></li>`;
        })}</ul>
        ${d.nodes.length > 300 && html`<p class="muted small">… ${d.nodes.length - 300} more</p>`}
      </section>`)}
  </section>`;
}
