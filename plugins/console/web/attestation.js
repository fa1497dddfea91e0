// Attestation: #/attestation. The catalog's services with the tenant's plan per service,
// the attestation policies, and the API clients of each service with their keys,
// policies and tags. REST: /management/v1 (docs/api/attestation-clients.md; bare JSON
// bodies, which lib.js's api() returns as they are).
import { api, confirmAction, copyButton, errorBox, field, h, loading, notice, replace, table, timeCell, uid } from './lib.js';
import { propsTable, showOnce } from './projects.js';

const M = '/management/v1';
const enc = encodeURIComponent;

export async function render(root) {
  const pageMessage = h('div', { class: 'page-message' });
  const plansSlot = h('div', {}, loading('Loading the services…'));
  const policiesSlot = h('div', {}, loading('Loading the policies…'));
  const policyFormSlot = h('div');
  const clientsSlot = h('div', {}, loading('Loading the API clients…'));
  const clientFormSlot = h('div');
  const onceSlot = h('div');
  const detailSlot = h('div');
  const serviceSelect = h('select', { name: 'service' });
  const t = { plans: uid('t'), policies: uid('t'), clients: uid('t') };

  let services = [];
  let policies = [];
  const plans = new Map(); // service id → subscription

  replace(
    root,
    h(
      'header',
      { class: 'page-header' },
      h(
        'div',
        {},
        h('h1', { tabindex: '-1' }, 'Attestation'),
        h('p', { class: 'intro' }, 'Your plan for each attestation service, your attestation policies, and the API clients whose keys the services verify.'),
      ),
    ),
    pageMessage,
    h('section', { class: 'panel', 'aria-labelledby': t.plans }, h('h2', { id: t.plans }, 'Services and plans'), plansSlot),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.policies },
      h('h2', { id: t.policies }, 'Policies'),
      h('p', { class: 'hint' }, 'Policies have no edit: create a new one, attach it to the clients, then delete the old one.'),
      policyFormSlot,
      policiesSlot,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': t.clients },
      h('h2', { id: t.clients }, 'API clients'),
      h('div', { class: 'form-grid' }, field('Service', serviceSelect)),
      onceSlot,
      clientFormSlot,
      clientsSlot,
      detailSlot,
    ),
  );

  const say = (text, kind = 'success') => replace(pageMessage, notice(text, kind));
  const serviceOf = (id) => services.find((s) => s.id === id);
  const selected = () => serviceOf(serviceSelect.value);

  // -------------------------------------------------------------- services and plans

  try {
    services = await api('GET', `${M}/services`);
  } catch (err) {
    replace(plansSlot, errorBox(err));
    replace(policiesSlot);
    replace(clientsSlot);
    return;
  }
  if (!root.isConnected) return;
  if (!services.length) {
    replace(plansSlot, notice('The operator’s catalog has no attestation service.', 'info'));
    replace(policiesSlot);
    replace(clientsSlot);
    return;
  }
  replace(serviceSelect, services.map((s) => h('option', { value: s.id }, s.name)));
  serviceSelect.addEventListener('change', () => {
    replace(detailSlot);
    replace(onceSlot);
    drawClientForm();
    loadClients();
  });

  async function loadPlans() {
    try {
      const subs = await Promise.all(services.map((s) => api('GET', `${M}/services/${enc(s.id)}/subscription`)));
      subs.forEach((sub, i) => plans.set(services[i].id, sub));
      replace(
        plansSlot,
        table(
          [
            { label: 'Service', cell: (s) => s.name },
            { label: 'Plan', cell: (s) => h('strong', {}, plans.get(s.id)?.product_name ?? '—') },
            { label: 'Chosen', cell: (s) => (plans.get(s.id)?.updated_at ? timeCell(plans.get(s.id).updated_at) : h('span', { class: 'muted' }, 'the default plan')) },
            { label: 'Switch plan', cell: (s) => planSwitcher(s) },
          ],
          services,
          { caption: 'Services and plans' },
        ),
      );
    } catch (err) {
      replace(plansSlot, errorBox(err));
    }
  }

  function planSwitcher(service) {
    const current = plans.get(service.id)?.product_id;
    const options = service.products.filter((p) => p.product_type === 'attestation');
    const select = h(
      'select',
      { 'aria-label': `Plan for ${service.name}` },
      options.map((p) => h('option', { value: p.id, selected: p.id === current }, p.name)),
    );
    const button = h(
      'button',
      {
        type: 'button',
        class: 'secondary small',
        onclick: async () => {
          const product = options.find((p) => p.id === select.value);
          if (!product || product.id === current) {
            say(`${service.name} is already on the ${product?.name ?? ''} plan.`, 'info');
            return;
          }
          const ok = await confirmAction(
            `Switch ${service.name} to the ${product.name} plan? Your API clients on the current plan move to ${product.name}; their keys keep working.`,
            { confirmLabel: 'Switch plan', title: 'Switch the plan?', danger: false },
          );
          if (!ok) return;
          try {
            await api('PUT', `${M}/services/${enc(service.id)}/subscription`, { product_id: product.id });
            say(`${service.name} is now on the ${product.name} plan.`);
            await loadPlans();
            if (selected()?.id === service.id) {
              drawClientForm();
              await loadClients();
            }
          } catch (err) {
            replace(pageMessage, errorBox(err));
          }
        },
      },
      'Switch',
    );
    return h('div', { class: 'row-actions' }, select, button);
  }

  // -------------------------------------------------------------- policies

  async function loadPolicies() {
    try {
      policies = await api('GET', `${M}/policies?limit=500`);
      replace(
        policiesSlot,
        table(
          [
            { label: 'Name', cell: (p) => p.name },
            { label: 'Service', cell: (p) => serviceOf(p.service_id)?.name ?? p.service_id },
            { label: 'Policy', class: 'wrap', cell: (p) => h('code', {}, p.policy.length > 120 ? `${p.policy.slice(0, 119)}…` : p.policy) },
            { label: 'Created', cell: (p) => timeCell(p.created_at) },
            {
              label: 'Actions',
              cell: (p) =>
                h('button', { type: 'button', class: 'danger-text small', 'aria-label': `Delete policy ${p.name}`, onclick: () => deletePolicy(p) }, 'Delete'),
            },
          ],
          policies,
          { empty: 'No policies yet.', caption: 'Policies' },
        ),
      );
    } catch (err) {
      replace(policiesSlot, errorBox(err));
    }
  }

  function drawPolicyForm() {
    const name = h('input', { type: 'text', name: 'policy-name', required: true, maxlength: '128', autocomplete: 'off' });
    const service = h('select', { name: 'policy-service' }, services.map((s) => h('option', { value: s.id }, s.name)));
    const text = h('textarea', { name: 'policy-text', required: true, rows: '4', spellcheck: 'false' });
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Create policy');
    const form = h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          replace(message);
          submit.disabled = true;
          try {
            const p = await api('POST', `${M}/policies`, { name: name.value, service_id: service.value, policy: text.value });
            form.reset();
            replace(message, notice(`Policy ${p.name} created.`, 'success'));
            await loadPolicies();
            drawClientForm();
          } catch (err) {
            replace(message, errorBox(err));
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('div', { class: 'form-grid' }, field('Name', name), field('Service', service)),
      field('Policy text', text, 'Stored as given; the attestation service interprets it.'),
      h('div', { class: 'actions' }, submit),
      message,
    );
    replace(policyFormSlot, h('details', {}, h('summary', {}, 'Create a policy'), form));
  }

  async function deletePolicy(p) {
    const ok = await confirmAction(`Delete the policy “${p.name}”?`, { confirmLabel: 'Delete policy', title: 'Delete this policy?' });
    if (!ok) return;
    try {
      await api('DELETE', `${M}/policies/${enc(p.id)}`);
      say(`The policy ${p.name} was deleted.`);
      await loadPolicies();
      drawClientForm();
    } catch (err) {
      const names = err.details?.api_client_ids;
      replace(pageMessage, errorBox(err), names ? h('p', { class: 'hint' }, `Used by the API clients ${names.join(', ')}.`) : null);
    }
  }

  // -------------------------------------------------------------- API clients

  async function loadClients() {
    const service = selected();
    if (!service) return;
    replace(clientsSlot, loading('Loading the API clients…'));
    try {
      const list = await api('GET', `${M}/services/${enc(service.id)}/api-clients?limit=500`);
      if (selected() !== service) return;
      replace(
        clientsSlot,
        table(
          [
            { label: 'Name', cell: (c) => c.name },
            { label: 'Product', cell: (c) => [c.product_name || '—', ' ', h('span', { class: 'muted' }, `(${c.product_type || '?'})`)] },
            { label: 'Status', cell: (c) => h('span', { class: ['badge', c.status === 'Active' ? 'ok' : ''] }, c.status) },
            { label: 'Created', cell: (c) => timeCell(c.created_at) },
            {
              label: 'Actions',
              cell: (c) =>
                h(
                  'div',
                  { class: 'row-actions' },
                  h('button', { type: 'button', class: 'secondary small', 'aria-label': `Details of ${c.name}`, onclick: () => showClient(service, c.id) }, 'Details'),
                  h('button', { type: 'button', class: 'danger-text small', 'aria-label': `Delete ${c.name}`, onclick: () => deleteClient(service, c) }, 'Delete'),
                ),
            },
          ],
          list,
          { empty: `No API clients for ${service.name} yet.`, caption: `API clients of ${service.name}` },
        ),
      );
    } catch (err) {
      replace(clientsSlot, errorBox(err));
    }
  }

  function drawClientForm() {
    const service = selected();
    if (!service) return;
    replace(
      clientFormSlot,
      h(
        'details',
        {},
        h('summary', {}, `Create an API client for ${service.name}`),
        clientForm(service, null, async (created) => {
          const box = showOnce(
            `API client “${created.name}” created`,
            (created.keys ?? []).map((key, i) => ({ label: `Key ${i + 1}`, key })),
            null,
            'Copy these keys now and hand them to the client’s callers. Later the client’s details show them masked.',
          );
          replace(onceSlot, box);
          box.focus();
          drawClientForm();
          await loadClients();
        }),
      ),
    );
  }

  /** The create (client null) or edit form of an API client. */
  function clientForm(service, client, onSaved) {
    const plan = plans.get(service.id)?.product_id;
    const name = h('input', { type: 'text', name: 'client-name', required: true, maxlength: '128', autocomplete: 'off', value: client?.name ?? '' });
    const product = h(
      'select',
      { name: 'client-product' },
      service.products.map((p) =>
        h(
          'option',
          { value: p.id, selected: client ? p.id === client.product_id : p.id === plan },
          `${p.name} (${p.product_type}${p.id === plan ? ', your plan' : ''})`,
        ),
      ),
    );
    const status = h(
      'select',
      { name: 'client-status' },
      ['Active', 'Inactive'].map((s) => h('option', { value: s, selected: (client?.status ?? 'Active') === s }, s)),
    );
    const own = policies.filter((p) => p.service_id === service.id);
    const checks = own.map((p) => {
      const box = h('input', { type: 'checkbox', value: p.id, checked: client?.policy_ids?.includes(p.id) });
      return { box, node: h('label', { class: 'check' }, box, p.name) };
    });
    const tags = tagsEditor(client?.tags ?? []);
    const message = h('div', { class: 'form-message' });
    const submit = h('button', { type: 'submit', class: 'primary' }, client ? 'Save client' : 'Create client');
    return h(
      'form',
      {
        onsubmit: async (event) => {
          event.preventDefault();
          replace(message);
          const body = {
            name: name.value,
            product_id: product.value,
            status: status.value,
            policy_ids: checks.filter((c) => c.box.checked).map((c) => c.box.value),
            tags: tags.read(),
          };
          submit.disabled = true;
          try {
            const path = `${M}/services/${enc(service.id)}/api-clients`;
            const saved = client ? await api('PUT', `${path}/${enc(client.id)}`, body) : await api('POST', path, body);
            await onSaved(saved);
          } catch (err) {
            replace(message, errorBox(err));
          } finally {
            submit.disabled = false;
          }
        },
      },
      h('div', { class: 'form-grid' }, field('Name', name), field('Product', product, 'An attestation product must be your current plan.'), field('Status', status)),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Policies'),
        checks.length ? h('div', { class: 'check-grid' }, checks.map((c) => c.node)) : h('p', { class: 'hint' }, `No policies for ${service.name} yet.`),
      ),
      tags.node,
      h('div', { class: 'actions' }, submit),
      message,
    );
  }

  function tagsEditor(initial) {
    const rows = [];
    const list = h('ol', { class: 'tags' });
    const add = h('button', { type: 'button', class: 'secondary small', onclick: () => addRow({}, true) }, 'Add tag');
    function addRow(tag, focus) {
      const row = {};
      row.key = h('input', { type: 'text', name: 'tag-key', maxlength: '64', pattern: '[A-Za-z0-9_\\-]{1,64}', value: tag.key ?? '', spellcheck: 'false' });
      row.value = h('input', { type: 'text', name: 'tag-value', maxlength: '64', value: tag.value ?? '' });
      row.remove = h(
        'button',
        {
          type: 'button',
          class: 'danger-text small',
          onclick: () => {
            rows.splice(rows.indexOf(row), 1);
            row.node.remove();
            renumber();
            add.focus();
          },
        },
        'Remove',
      );
      row.node = h('li', {}, h('div', { class: 'form-grid' }, field('Tag key', row.key, tag.predefined ? 'Predefined by the operator.' : null), field('Tag value', row.value)), row.remove);
      rows.push(row);
      list.append(row.node);
      renumber();
      if (focus) row.key.focus();
    }
    function renumber() {
      rows.forEach((r, i) => r.remove.setAttribute('aria-label', `Remove tag ${i + 1}`));
    }
    for (const tag of initial) addRow(tag, false);
    return {
      node: h('fieldset', {}, h('legend', {}, 'Tags'), h('p', { class: 'hint' }, 'A key may repeat (e.g. several Workload tags).'), list, add),
      read: () => rows.filter((r) => r.key.value.trim() || r.value.value.trim()).map((r) => ({ key: r.key.value.trim(), value: r.value.value })),
    };
  }

  async function showClient(service, id) {
    replace(detailSlot, loading('Loading the client…'));
    let c;
    try {
      c = await api('GET', `${M}/services/${enc(service.id)}/api-clients/${enc(id)}`);
    } catch (err) {
      replace(detailSlot, errorBox(err));
      return;
    }
    const titleId = uid('t');
    const policyName = (pid) => policies.find((p) => p.id === pid)?.name ?? pid;
    const keyRows = (c.keys ?? []).map((key, i) => {
      const masked = `${key.slice(0, 4)}${'•'.repeat(24)}${key.slice(-4)}`;
      const code = h('code', {}, masked);
      const toggle = h(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          'aria-label': `Show key ${i + 1}`,
          onclick: () => {
            const shown = code.textContent !== key;
            code.textContent = shown ? key : masked;
            toggle.textContent = shown ? 'Hide' : 'Show';
            toggle.setAttribute('aria-label', `${shown ? 'Hide' : 'Show'} key ${i + 1}`);
          },
        },
        'Show',
      );
      return [`Key ${i + 1}`, h('div', { class: 'actions' }, code, toggle, copyButton(key, `Copy key ${i + 1}`))];
    });
    const panel = h(
      'section',
      { class: 'panel highlight', 'aria-labelledby': titleId, tabindex: '-1' },
      h('h3', { id: titleId }, c.name),
      propsTable(`API client ${c.name}`, [
        ['Id', h('code', {}, c.id)],
        ['Service', c.service_offer_name],
        ['Product', `${c.product_name || '—'} (${c.product_type || '?'})`],
        ['Status', c.status],
        ['Created', timeCell(c.created_at)],
        ...keyRows,
        ['Policies', c.policy_ids?.length ? h('div', { class: 'chips' }, c.policy_ids.map((p) => h('span', { class: 'chip' }, policyName(p)))) : 'none'],
        [
          'Tags',
          c.tags?.length
            ? h('div', { class: 'chips' }, c.tags.map((tag) => h('span', { class: 'chip', title: tag.predefined ? 'predefined' : null }, `${tag.key}=${tag.value}`)))
            : 'none',
        ],
      ]),
      h('p', { class: 'hint' }, 'The API shows a client’s keys to anyone who may read attestation data. To retire keys, create a new client and delete this one.'),
      h(
        'details',
        {},
        h('summary', {}, 'Edit'),
        clientForm(service, c, async () => {
          say(`The client ${c.name} was saved.`);
          await loadClients();
          await showClient(service, c.id);
        }),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => replace(detailSlot) }, 'Close')),
    );
    replace(detailSlot, panel);
    panel.focus();
  }

  async function deleteClient(service, c) {
    const ok = await confirmAction(`Delete the API client “${c.name}”? Its keys stop verifying at once.`, {
      confirmLabel: 'Delete client',
      title: 'Delete this API client?',
    });
    if (!ok) return;
    try {
      await api('DELETE', `${M}/services/${enc(service.id)}/api-clients/${enc(c.id)}`);
      say(`The API client ${c.name} was deleted.`);
      replace(detailSlot);
      await loadClients();
    } catch (err) {
      replace(pageMessage, errorBox(err));
    }
  }

  await Promise.all([loadPlans(), loadPolicies()]);
  drawPolicyForm();
  drawClientForm();
  await loadClients();
}
