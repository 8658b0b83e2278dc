// The status page: the clusters with their stage, a timeline per cluster, updated live from /api/v1/events.
// Plain JavaScript, no build step: request-service serves this file as it is.
// Every call carries the bearer token the user pasted; it stays in this tab's session storage only. The event
// stream is read with fetch rather than EventSource, which cannot send an Authorization header.
'use strict';

const API = '/api/v1';
const TOKEN_KEY = 'pivotplane.token';
let stream = null;   // the AbortController of the event stream being read
const PIPELINE = ['Requested', 'SpecsCreated', 'ControlPlaneReady', 'Pivoted', 'AddonsInstalled'];
const clusters = new Map();   // id -> cluster as GET /clusters returns it
let selected = null;
let lastSequence = null;

const $ = (selector) => document.querySelector(selector);
const element = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  Object.entries(attributes).forEach(([key, value]) => node.setAttribute(key, value));
  children.forEach((child) => node.append(child));
  return node;
};

class Unauthorized extends Error {}

function headers(accept) {
  return { Accept: accept, Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` };
}

async function getJson(path) {
  const response = await fetch(API + path, { headers: headers('application/json') });
  if (response.status === 401) {
    throw new Unauthorized();
  }
  if (!response.ok) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return response.json();
}

function progress(stage) {
  const bar = element('div', { class: 'bar' });
  const reached = stage === 'Failed' ? -1 : PIPELINE.indexOf(stage);
  const done = stage === 'Deleting' || stage === 'Deleted' ? PIPELINE.length : reached + 1;
  PIPELINE.forEach((_, i) => bar.append(element('span', { class: i < done ? 'done' : '' })));
  if (stage === 'AddonsInstalled' || stage === 'Deleted') bar.classList.add('complete');
  if (stage === 'Failed') bar.classList.add('failed');
  return bar;
}

function render() {
  const body = $('#clusters tbody');
  const rows = [...clusters.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  body.replaceChildren(...rows.map((cluster) => {
    const row = element('tr', { 'data-cluster-id': cluster.id, 'data-stage': cluster.stage },
      element('td', {}, cluster.name), element('td', {}, cluster.project), element('td', {}, cluster.provider),
      element('td', {}, element('span', { class: 'stage', 'data-stage': cluster.stage }, cluster.stage)),
      element('td', {}, progress(cluster.stage)),
      element('td', {}, new Date(cluster.createdAt).toLocaleTimeString()));
    if (cluster.id === selected) row.classList.add('selected');
    row.addEventListener('click', () => select(cluster.id));
    return row;
  }));
  $('#empty').hidden = rows.length > 0;
  const counts = {};
  rows.forEach((c) => { counts[c.stage] = (counts[c.stage] || 0) + 1; });
  $('#summary').textContent = rows.length === 0 ? '' :
    Object.entries(counts).map(([stage, n]) => `${n} ${stage}`).join(' · ');
}

async function select(id) {
  selected = id;
  render();
  const cluster = await getJson(`/clusters/${id}`);
  if (selected !== id) return;
  $('#details').hidden = false;
  $('#details-title').textContent = cluster.name;
  $('#details-facts').replaceChildren(...[['ID', cluster.id], ['Project', cluster.project],
    ['Provider', cluster.provider], ['Kubernetes', cluster.kubernetesVersion], ['Stage', cluster.stage]]
    .flatMap(([k, v]) => [element('dt', {}, k), element('dd', {}, v)]));
  const first = cluster.timeline.length ? Date.parse(cluster.timeline[0].reachedAt) : 0;
  $('#details-timeline').replaceChildren(...cluster.timeline.map((entry) => element('li',
    { 'data-stage': entry.stage }, entry.stage,
    element('span', { class: 'when' }, `+${((Date.parse(entry.reachedAt) - first) / 1000).toFixed(1)}s`
      + (entry.reason ? ` — ${entry.reason}: ${entry.message}` : '')))));
  const placement = cluster.placement || { location: 'none', objects: [] };
  $('#details-placement').textContent = {
    none: 'not created yet',
    management: `in the management cluster, namespace ${placement.namespace}`,
    workload: `in the workload cluster itself (${placement.apiEndpoint}), namespace ${placement.namespace}`,
    deleted: 'deleted',
  }[placement.location] || placement.location;
  $('#details-objects').replaceChildren(...placement.objects.map((o) => element('li', {}, `${o.kind} ${o.name}`)));
  const profile = (cluster.spec && cluster.spec.profile) || {};
  $('#details-profile').textContent = profile.version ? `profile ${profile.name} ${profile.version}`
    : 'add-ons given in the request';
  $('#details-addons').replaceChildren(...(cluster.addons || []).map((a) => element('li', { 'data-state': a.state },
    `${a.name} (${a.layer}${a.version ? ' ' + a.version : ''}): ${a.state}${a.message ? ' — ' + a.message : ''}`)));
  const change = cluster.change;
  const changeLine = $('#details-change');
  changeLine.dataset.state = change ? change.state : '';
  changeLine.textContent = change ? `generation ${change.generation}: ${change.summary} — ${change.state}`
    + (change.message ? ` (${change.message})` : '') : 'none since it was requested';
  const agent = $('#details-agent');
  agent.textContent = !cluster.agent ? 'not reported yet'
    : (cluster.agent.version || 'reports no version')
      + (cluster.agent.supported ? '' : ' — not driven by this plane: changes are not sent');
  const paused = $('#details-paused');
  paused.hidden = !cluster.paused;
  paused.textContent = cluster.paused ? `Paused since ${cluster.paused.since}`
    + (cluster.paused.reason ? ` (${cluster.paused.reason})` : '') + ': changes are held until it is resumed' : '';
  const error = $('#details-error');
  error.hidden = !cluster.lastError;
  error.textContent = cluster.lastError
    ? `Last error at ${cluster.lastError.stage}: ${cluster.lastError.reason} — ${cluster.lastError.message}` : '';
}

async function apply(change) {
  lastSequence = change.sequence;
  let cluster = clusters.get(change.clusterId);
  if (!cluster) {
    cluster = await getJson(`/clusters/${change.clusterId}`);
    clusters.set(cluster.id, cluster);
  } else {
    // the stream carries every stage recorded; the cluster's own stage only moves as the server decided
    cluster.stage = (await getJson(`/clusters/${change.clusterId}`)).stage;
  }
  render();
  if (selected === change.clusterId) select(selected);
}

async function follow() {
  const status = $('#connection');
  const controller = new AbortController();
  stream = controller;
  const queue = [];
  let draining = false;
  const receive = (data) => {
    queue.push(JSON.parse(data));
    if (draining) return;
    draining = true;
    (async () => {
      while (queue.length) await apply(queue.shift()).catch(() => {});
      draining = false;
    })();
  };
  try {
    const response = await fetch(`${API}/events` + (lastSequence === null ? '' : `?since=${lastSequence}`),
      { headers: headers('text/event-stream'), signal: controller.signal });
    if (response.status === 401) {
      signIn('The API refused the token (expired, or not of its identity provider): paste a new one.');
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    status.dataset.state = 'live';
    status.textContent = 'live';
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const data = buffer.slice(0, end).split('\n').filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart()).join('\n');
        buffer = buffer.slice(end + 2);
        if (data) receive(data);
      }
    }
  } catch (error) {
    if (controller.signal.aborted) return;
  }
  if (stream !== controller) return;
  status.dataset.state = 'reconnecting';
  status.textContent = 'reconnecting…';
  setTimeout(follow, 2000);
}

function signIn(message) {
  if (stream) stream.abort();
  stream = null;
  sessionStorage.removeItem(TOKEN_KEY);
  clusters.clear();
  lastSequence = null;
  $('#page').hidden = true;
  $('#sign-out').hidden = true;
  $('#sign-in').hidden = false;
  $('#sign-in-error').hidden = !message;
  $('#sign-in-error').textContent = message || '';
  $('#connection').dataset.state = 'signed-out';
  $('#connection').textContent = 'signed out';
}

async function start() {
  $('#sign-in').hidden = true;
  $('#page').hidden = false;
  $('#sign-out').hidden = false;
  follow();
  try {
    const page = await getJson('/clusters?size=100');
    page.items.forEach((cluster) => { if (!clusters.has(cluster.id)) clusters.set(cluster.id, cluster); });
    render();
  } catch (error) {
    if (error instanceof Unauthorized) {
      signIn('The API refused the token (expired, or not of its identity provider): paste a new one.');
    }
  }
}

$('#sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('#token').value.trim().replace(/^Bearer\s+/i, '');
  if (!token) return;
  $('#token').value = '';
  sessionStorage.setItem(TOKEN_KEY, token);
  start();
});
$('#sign-out').addEventListener('click', () => signIn(''));

if (sessionStorage.getItem(TOKEN_KEY)) start(); else signIn('');
