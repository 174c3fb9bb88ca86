// The reference server a user would pick instead of ours for GraphQL subscriptions:
// graphql-js + graphql-ws (`useServer`) + ws on Node, with the slice of our schema
// the fan-out load client uses (createNode, updateNode, deleteNode over HTTP POST
// /graphql; nodeUpdated over graphql-transport-ws on /graphql). Every mutation
// publishes to every matching subscriber through an in-memory pub/sub, as the
// graphql-ws documentation's examples do. Driven by bench/ws_fanout.cpp exactly like
// `codegraph serve` (bench/fanout_compare.sh).
// Usage: node bench/ref_server.mjs PORT_FILE
import fs from 'node:fs';
import http from 'node:http';
import { buildSchema, graphql } from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';

const schema = buildSchema(`
  enum NodeType { FUNCTION METHOD CLASS }
  input CreateNodeInput { nodeType: NodeType!, name: String!, signature: String }
  input UpdateNodeInput { name: String, signature: String }
  type Node { id: ID!, name: String!, nodeType: NodeType!, filePath: String!, signature: String }
  type NodeEvent { project: String!, node: Node! }
  type Query { node(project: String!, id: ID!): Node }
  type Mutation {
    createNode(project: String!, input: CreateNodeInput!): Node!
    updateNode(project: String!, id: ID!, input: UpdateNodeInput!): Node!
    deleteNode(project: String!, id: ID!): Boolean!
  }
  type Subscription { nodeUpdated(project: String!, filePath: String, nodeType: [NodeType!]): NodeEvent! }
`);

const nodes = new Map();
let nextId = 1;
const subscribers = new Set();

function publish(project, node) {
  for (const s of subscribers) s(project, node);
}

// One subscriber's events as an async iterator (what graphql-js expects of subscribe).
function subscription(filter) {
  const queue = [];
  let wake = null;
  let done = false;
  const push = (project, node) => {
    if (!filter(project, node)) return;
    const value = { nodeUpdated: { project, node } };
    if (wake) { wake({ value, done: false }); wake = null; } else queue.push(value);
  };
  subscribers.add(push);
  const end = () => {
    done = true;
    subscribers.delete(push);
    if (wake) { wake({ value: undefined, done: true }); wake = null; }
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    [Symbol.asyncIterator]() { return this; },
    next() {
      if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((r) => { wake = r; });
    },
    return: end,
    throw: end,
  };
}

const root = {
  node: ({ id }) => nodes.get(id) || null,
  createNode: ({ project, input }) => {
    const node = { id: String(nextId++), name: input.name, nodeType: input.nodeType, filePath: '@manual',
      signature: input.signature ?? null };
    nodes.set(node.id, node);
    publish(project, node);
    return node;
  },
  updateNode: ({ project, id, input }) => {
    const node = nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    Object.assign(node, Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)));
    publish(project, { ...node });
    return node;
  },
  deleteNode: ({ id }) => nodes.delete(id),
};

const subscriptionRoot = {
  nodeUpdated: (args) => subscription((project, node) =>
    project === args.project && (!args.filePath || node.filePath === args.filePath) &&
    (!args.nodeType || args.nodeType.includes(node.nodeType))),
};

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/graphql') { res.writeHead(404).end(); return; }
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', async () => {
    let result;
    try {
      const { query, variables } = JSON.parse(body);
      result = await graphql({ schema, source: query, rootValue: root, variableValues: variables });
    } catch (e) {
      result = { errors: [{ message: String(e.message || e) }] };
    }
    const text = JSON.stringify(result);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
  });
});
// The load client's mutation connection sits idle while 10K subscribers connect.
server.keepAliveTimeout = 0;
server.requestTimeout = 0;
const wss = new WebSocketServer({ server, path: '/graphql' });
useServer({ schema, roots: { subscription: subscriptionRoot } }, wss);
server.listen(0, '127.0.0.1', () => fs.writeFileSync(process.argv[2], String(server.address().port)));
