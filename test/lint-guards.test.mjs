// Proves that the layering rules in eslint.config.mjs hold: each guard fails on
// a file that breaks it, in every folder it is meant to cover, and lets the
// allowed case through (so a rule that matches everything would fail here too).
// Run by `npm run lint`. Uses ESLint's Node API with a virtual file path, so no
// file is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

/** Errors of the layering rules for `code` as if it were the file `filePath`. */
async function layerErrors(filePath, code) {
  const [result] = await eslint.lintText(code, { filePath });
  assert.ok(result, `no lint result for ${filePath}`);
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax');
}

async function assertFails(filePath, code, what) {
  const errors = await layerErrors(filePath, code);
  assert.ok(errors.length > 0 && errors.every((e) => e.severity === 2), `${what} in ${filePath} must fail lint, got ${JSON.stringify(errors)}`);
}

async function assertPasses(filePath, code, what) {
  const errors = await layerErrors(filePath, code);
  assert.deepEqual(errors.map((e) => e.message), [], `${what} in ${filePath} must pass lint`);
}

const NON_TRANSPORT = ['src/components/x/x.ts', 'src/session/x.ts', 'src/chat/x.ts', 'src/cobrowse/x.ts', 'src/protocol/x.ts', 'src/util/x.ts', 'src/x.ts'];

const STATIC_JANUS = "import Janus from 'janus-gateway';\nexport const j = Janus;\n";
const DYNAMIC_JANUS = "export const load = () => import('janus-gateway');\n";
const TYPE_JANUS = "export type J = typeof import('janus-gateway');\n";

test('janus-gateway, imported statically, fails outside src/janus', async () => {
  for (const file of NON_TRANSPORT) await assertFails(file, STATIC_JANUS, 'a static janus-gateway import');
});

test('janus-gateway, imported dynamically, fails outside src/janus', async () => {
  for (const file of NON_TRANSPORT) await assertFails(file, DYNAMIC_JANUS, 'a dynamic janus-gateway import');
  for (const file of NON_TRANSPORT) await assertFails(file, TYPE_JANUS, 'an import type of janus-gateway');
});

test('janus-gateway is allowed in src/janus', async () => {
  for (const code of [STATIC_JANUS, DYNAMIC_JANUS, TYPE_JANUS]) await assertPasses('src/janus/x.ts', code, 'janus-gateway');
});

test('a component importing the transport, chat or cobrowse internals fails, statically and dynamically', async () => {
  const file = 'src/components/x/x.ts';
  for (const folder of ['janus', 'chat', 'cobrowse']) {
    await assertFails(file, `import { a } from '../../${folder}/index.js';\nexport const b = a;\n`, `a component importing src/${folder}`);
    await assertFails(file, `import type { a } from '../../${folder}/index.js';\nexport type B = a;\n`, `a component importing types of src/${folder}`);
    await assertFails(file, `export const load = () => import('../../${folder}/index.js');\n`, `a component importing src/${folder} dynamically`);
  }
});

test('a component building Conversation or BrokerClient itself fails; the session factories pass', async () => {
  const file = 'src/components/x/x.ts';
  for (const name of ['Conversation', 'BrokerClient']) {
    await assertFails(file, `import { ${name} } from '../../session/index.js';\nexport const c = ${name};\n`, `a component importing ${name}`);
  }
  await assertFails(file, "import { Conversation } from '../../session/conversation.js';\nexport const c = Conversation;\n", 'a component importing conversation.js');
  await assertFails(file, "import { BrokerClient } from '../../session/broker-client.js';\nexport const c = BrokerClient;\n", 'a component importing broker-client.js');
  await assertPasses(file, "import { createConversation, type ConversationController } from '../../session/index.js';\nexport const c: () => ConversationController = () => createConversation();\n", 'the session factory');
});

test('the framework-free core (src/session, chat, cobrowse, janus, protocol, util) cannot import Lit or components', async () => {
  for (const folder of ['session', 'chat', 'cobrowse', 'janus', 'protocol', 'util', 'i18n']) {
    const file = `src/${folder}/x.ts`;
    await assertFails(file, "import { LitElement } from 'lit';\nexport const L = LitElement;\n", 'Lit');
    await assertFails(file, "import { ContextProvider } from '@lit/context';\nexport const C = ContextProvider;\n", '@lit/context');
    await assertFails(file, "import { X } from '../components/index.js';\nexport const Y = X;\n", 'a component');
  }
});

test('lower layers cannot import upwards', async () => {
  await assertFails('src/chat/x.ts', "import { Conversation } from '../session/index.js';\nexport const c = Conversation;\n", 'chat importing session');
  await assertFails('src/cobrowse/x.ts', "import { ChatSession } from '../chat/index.js';\nexport const c = ChatSession;\n", 'cobrowse importing chat');
  await assertFails('src/janus/x.ts', "import { ChatSession } from '../chat/index.js';\nexport const c = ChatSession;\n", 'janus importing chat');
  await assertFails('src/protocol/x.ts', "import { GatewayConnection } from '../janus/index.js';\nexport const g = GatewayConnection;\n", 'protocol importing janus');
  await assertPasses('src/session/x.ts', "import { ChatSession } from '../chat/index.js';\nexport const c = ChatSession;\n", 'session importing chat');
  await assertFails('src/i18n/x.ts', "import { canSend } from '../session/index.js';\nexport const c = canSend;\n", 'the catalogues importing session');
  await assertPasses('src/protocol/x.ts', "import { english } from '../i18n/index.js';\nexport const e = english;\n", 'protocol importing the catalogues');
});
