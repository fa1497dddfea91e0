// The hello plugin's console page (SDK 1.9, Context::add_console_page): the
// console loads this module and calls render(root, ctx), where ctx.api calls
// this server as the signed-in user and ctx.h builds elements.
export async function render(root, ctx) {
  const { h, api } = ctx;
  const result = h('p', { role: 'status' });
  const name = h('input', { id: 'hello-name', name: 'name', required: true, maxlength: '64', value: 'world' });
  const form = h('form', {
    onsubmit: async (event) => {
      event.preventDefault();
      result.textContent = 'Counting…';
      try {
        const data = await api('GET', `/hello/${encodeURIComponent(name.value)}/visits`);
        result.textContent = `${data.name} was greeted ${data.visits} time(s).`;
      } catch (err) {
        result.textContent = `${err.message} (${err.code})`;
      }
    },
  }, h('label', { for: 'hello-name' }, 'Name'), name, h('button', { type: 'submit' }, 'Count greetings'));
  root.append(h('h1', {}, 'Greetings'), form, result);
}
