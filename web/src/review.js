// Review: pick a base and a target (a version or the working tree) and a depth; see
// the changed definitions, the radius by distance as a list and a graph, the tests
// that reach the change and the risk. Against the working tree it updates on every
// save (the reviewImpact subscription).
import { useEffect, useState } from 'preact/hooks';
import { gql, subscribe } from './api.js';
import { html, Kind, Link, Loading, ErrorBox, Empty, nodeHref, navigate, useLoad, fmt } from './ui.js';
import { NeighbourGraph } from './graph.js';

const SYM = 'id name qualifiedName kind file line';

function versionLabel(v) {
  return `${v.id}${v.message ? ` · ${v.message.split('\n')[0].slice(0, 50)}` : ''}${v.commit ? ` · ${v.commit.slice(0, 8)}` : ''}`;
}

export function Review({ project, q }) {
  const versions = useLoad(() => gql('query($p: String) { versions(project: $p) { id message commit created } }', { p: project }), [project]);
  const [base, setBase] = useState(q.get('base') || '');
  const [target, setTarget] = useState(q.get('target') || 'working');
  const [depth, setDepth] = useState(Number(q.get('depth') || 3));
  const [tick, setTick] = useState(0);
  const [updated, setUpdated] = useState(null);
  const list = versions.data?.versions || [];
  const baseRef = base || (list.length ? String(list[list.length - 1].id) : '');
  useEffect(() => {
    if (!baseRef) return;
    const qs = new URLSearchParams({ base: baseRef, target, depth: String(depth) });
    history.replaceState(null, '', `/p/${encodeURIComponent(project)}/review?${qs}`);
  }, [baseRef, target, depth]);
  const report = useLoad(async () => {
    if (!baseRef) return null;
    return (await gql(`query($p: String, $b: String!, $t: String, $d: Int) { review(project: $p, base: $b, target: $t, depth: $d) {
      base { version commit message } target { version }
      changed { ${SYM} change signatureChanged viaMembers public test directUsers reached renamedFrom { qualifiedName } }
      radius { ${SYM} distance exact test fromChange path { from to kind resolution } }
      byDepth tests { reaching { ${SYM} distance } untested } api { ${SYM} change users { id } }
      risk { score level reasons { points reason } } trust { unresolvedInChanges parseErrors truncated }
      totals { changed changedFiles radius tests untested api } } }`,
    { p: project, b: baseRef, t: target, d: depth })).review;
  }, [project, baseRef, target, depth, tick]);
  // Live: every save that changes the report re-reads it (the server caches it until then).
  useEffect(() => {
    if (!baseRef || target !== 'working') return undefined;
    return subscribe(`subscription($p: String, $b: String!, $d: Int) { reviewImpact(project: $p, base: $b, depth: $d) {
      kind totals { changed radius } } }`, { p: project, b: baseRef, d: depth }, ({ reviewImpact: m }) => {
      if (m.kind === 'update') { setTick((t) => t + 1); setUpdated(new Date()); }
    });
  }, [project, baseRef, target, depth]);
  if (versions.loading) return html`<${Loading} what="Loading versions" />`;
  if (versions.error) return html`<${ErrorBox} error=${versions.error} />`;
  if (!list.length) return html`<${Empty}>${project} keeps no versions yet: index it once (<code>codegraph index</code>), then review changes against that version.</${Empty}>`;
  const r = report.data;
  const byId = new Map();
  if (r) for (const s of [...r.changed, ...r.radius]) byId.set(s.id, s);
  const edges = r ? r.radius.slice(0, 150).flatMap((s) => s.path.map((h) => ({
    from: { id: h.from, name: byId.get(h.from)?.name || h.from }, to: { id: h.to, name: byId.get(h.to)?.name || h.to,
      changed: r.changed.some((c) => c.id === h.to) }, possible: h.resolution !== 'exact' }))) : [];
  return html`<section aria-labelledby="review-title">
    <h1 id="review-title">Review <span class="muted">${project}</span></h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Base <select value=${baseRef} onChange=${(e) => setBase(e.target.value)}>
        ${list.slice().reverse().map((v) => html`<option value=${String(v.id)}>${versionLabel(v)}</option>`)}</select></label>
      <label>Target <select value=${target} onChange=${(e) => setTarget(e.target.value)}>
        <option value="working">the working tree (live)</option>
        ${list.slice().reverse().map((v) => html`<option value=${String(v.id)}>${versionLabel(v)}</option>`)}</select></label>
      <label>Depth <select value=${depth} onChange=${(e) => setDepth(Number(e.target.value))}>
        ${[1, 2, 3, 4, 5].map((d) => html`<option value=${d}>${d}</option>`)}</select></label>
      ${updated && html`<span class="muted small" role="status">updated ${updated.toLocaleTimeString()}</span>`}
    </form>
    ${report.error && html`<${ErrorBox} error=${report.error} />`}
    ${!r ? html`<${Loading} what="Computing the review" />` : html`
      <div class=${`risk risk-${r.risk.level}`} data-testid="risk">
        <strong>Risk ${r.risk.score}/100 (${r.risk.level})</strong>
        <ul>${r.risk.reasons.map((x) => html`<li>+${x.points} ${x.reason}</li>`)}</ul>
        <p class="small muted">${fmt(r.totals.changed)} changed in ${fmt(r.totals.changedFiles)} files · radius ${fmt(r.totals.radius)} ·
          ${fmt(r.totals.tests)} tests reach it · ${r.trust.unresolvedInChanges} unresolved references in the changes
          ${r.trust.truncated ? ' · partial (a walk hit its limit)' : ''}</p>
      </div>
      <div class="cols">
        <section aria-labelledby="changed-title"><h2 id="changed-title">Changed <span class="count">${r.changed.length}</span></h2>
          ${r.changed.length === 0 ? html`<${Empty}>No definition changed.</${Empty}>` : html`<ul class="nodes">${r.changed.map((c) => html`
            <li key=${c.id}><span class=${`change change-${c.change}`}>${c.change}</span> <${Kind} kind=${c.kind} />
              <${Link} href=${nodeHref(project, c.id)}>${c.qualifiedName}</${Link}>
              ${c.signatureChanged && html`<span class="chip warn">signature</span>`}
              ${c.renamedFrom && html`<span class="muted small">was ${c.renamedFrom.qualifiedName}</span>`}
              <span class="muted small">${c.file}:${c.line} · ${c.directUsers} users</span></li>`)}</ul>`}
        </section>
        <section aria-labelledby="radius-title"><h2 id="radius-title">Radius <span class="count">${r.radius.length}</span></h2>
          <p class="small">${Object.entries(r.byDepth).map(([d, n]) => html`<span class="chip">${n} at ${d}</span> `)}</p>
          <ul class="nodes">${r.radius.slice(0, 200).map((s) => html`<li key=${s.id}><span class="dist">${s.distance}</span>
            <${Kind} kind=${s.kind} /> <${Link} href=${nodeHref(project, s.id)}>${s.qualifiedName}</${Link}>
            ${!s.exact && html`<span class="chip" title="one of several candidates">possible</span>`}
            ${s.test && html`<span class="chip ok">test</span>`}
            <span class="muted small">${s.path.map((h) => h.kind).join(' → ')}</span></li>`)}</ul>
          ${r.radius.length > 200 && html`<p class="muted small">… ${r.radius.length - 200} more</p>`}
        </section>
      </div>
      <section aria-labelledby="rgraph-title"><h2 id="rgraph-title">Radius as a graph</h2>
        ${edges.length ? html`<${NeighbourGraph} center=${null} edges=${edges} onOpen=${(nid) => navigate(nodeHref(project, nid))}
          label="the change and what reaches it" key=${`${baseRef}-${target}-${depth}-${tick}`} />` : html`<${Empty}>Nothing reaches the change.</${Empty}>`}
      </section>
      <section aria-labelledby="tests-title"><h2 id="tests-title">Tests <span class="count">${r.tests.reaching.length}</span></h2>
        <ul class="nodes">${r.tests.reaching.slice(0, 100).map((t) => html`<li><${Link} href=${nodeHref(project, t.id)}>${t.qualifiedName}</${Link}>
          <span class="muted small">${t.distance} hops</span></li>`)}</ul>
        ${r.tests.untested.length > 0 && html`<p><strong>No test reaches:</strong> ${r.tests.untested.map((id) => byId.get(id)?.qualifiedName || id).join(', ')}</p>`}
      </section>
      ${r.api.length > 0 && html`<section><h2>API changes</h2><ul class="nodes">${r.api.map((a) => html`<li>
        <span class="chip warn">${a.change}</span> <${Link} href=${nodeHref(project, a.id)}>${a.qualifiedName}</${Link}>
        <span class="muted small">${a.users.length} users in other files</span></li>`)}</ul></section>`}`}
  </section>`;
}
