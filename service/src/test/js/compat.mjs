// Drives Confluent's official JavaScript schema registry client for ConfluentJsClientCompatibilityIT.
//   node compat.mjs <registry-url> serialize-request <topic> <RequestEvent.avsc>   -> hex of one RequestEvent
//   node compat.mjs <registry-url> deserialize <topic> <hex>                         -> the decoded record as JSON
import { readFileSync } from 'node:fs';
import {
  SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType,
} from '@confluentinc/schemaregistry';

const [, , url, mode, topic, arg] = process.argv;
const client = SchemaRegistryClient.newClient({ baseURLs: [url] });

if (mode === 'serialize-request') {
  const schema = readFileSync(arg, 'utf8');
  await client.register(`${topic}-value`, { schemaType: 'AVRO', schema });
  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
  const event = {
    event_id: 'js-evt-1',
    event_time: 1764300000000,
    account_id: 'acct-from-js',
    org_id: 'org-js',
    api_key_id: null,
    ip: '2001:db8::42',
    asn: 64500,
    country: 'SG',
    user_agent: 'confluent-js',
    payment_fingerprint: null,
    account_created_at: 1700000000000,
    model: 'frontier-2',
    endpoint: '/v1/messages',
    conversation_id: null,
    turn_index: 0,
    prompt_tokens: 321,
    completion_tokens: 4321,
    reasoning_requested: true,
    capability: 'coding',
    prompt_simhash: 123456789,
    prompt_text: null,
    prompt_minhash: Buffer.alloc(32, 7),
    status: 200,
  };
  const bytes = await serializer.serialize(topic, event);
  console.log(Buffer.from(bytes).toString('hex'));
} else if (mode === 'deserialize') {
  const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
  const record = await deserializer.deserialize(topic, Buffer.from(arg, 'hex'));
  console.log(JSON.stringify(record));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
