// An interactive neighbourhood graph (cytoscape): pan, zoom, click a node to expand
// its callers and callees, double-click (or Enter on the list below) to open it.
// cytoscape is a chunk of its own, loaded when a graph is first shown.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './ui.js';

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

export function NeighbourGraph({ center, edges, onExpand, onOpen, label = 'Neighbourhood graph' }) {
  const box = useRef(null);
  const cy = useRef(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let gone = false;
    import('cytoscape').then(({ default: cytoscape }) => {
      if (gone) return;
      cy.current = cytoscape({
      container: box.current,
      wheelSensitivity: 0.3,
      style: [
        { selector: 'node', style: { label: 'data(label)', 'font-size': 10, color: css('--fg'), 'background-color': css('--accent'),
          width: 14, height: 14, 'text-valign': 'bottom', 'text-margin-y': 3 } },
        { selector: 'node.center', style: { 'background-color': css('--warn'), width: 22, height: 22, 'font-weight': 'bold' } },
        { selector: 'node.changed', style: { 'background-color': css('--bad') } },
        { selector: 'edge', style: { width: 1.2, 'line-color': css('--line'), 'target-arrow-color': css('--line'),
          'target-arrow-shape': 'triangle', 'curve-style': 'bezier', 'arrow-scale': 0.8 } },
        { selector: 'edge.possible', style: { 'line-style': 'dashed' } },
      ],
    });
      cy.current.on('tap', 'node', (e) => onExpand && onExpand(e.target.id()));
      cy.current.on('dbltap', 'node', (e) => onOpen && onOpen(e.target.id()));
      setReady(true);
    });
    return () => { gone = true; if (cy.current) cy.current.destroy(); };
  }, []);
  useEffect(() => {
    const c = cy.current;
    if (!ready || !c) return;
    const add = [];
    for (const n of [center, ...edges.flatMap((e) => [e.from, e.to])]) {
      if (n && !c.getElementById(n.id).length && !add.some((a) => a.data.id === n.id)) {
        add.push({ group: 'nodes', data: { id: n.id, label: n.name }, classes: [n.id === center?.id ? 'center' : '', n.changed ? 'changed' : ''].join(' ') });
      }
    }
    for (const e of edges) {
      const id = `${e.from.id}>${e.to.id}`;
      if (!c.getElementById(id).length && !add.some((a) => a.data.id === id))
        add.push({ group: 'edges', data: { id, source: e.from.id, target: e.to.id }, classes: e.possible ? 'possible' : '' });
    }
    if (add.length) {
      c.add(add);
      c.layout({ name: 'cose', animate: false, nodeDimensionsIncludeLabels: true, randomize: false, padding: 20 }).run();
    }
    box.current.dataset.nodes = String(c.nodes().length);
  }, [ready, center, edges]);
  return html`<div class="graph" ref=${box} role="img" aria-label=${label} data-testid="graph"></div>`;
}
