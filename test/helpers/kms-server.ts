// A stand-in for AWS KMS in tests: no KMS emulator can be installed here (no Docker, no Go), so this server speaks
// the part of KMS's API the datastore uses, as KMS does: the AWS JSON 1.1 protocol over HTTP (`X-Amz-Target:
// TrentService.<Operation>`, blobs in base64, errors as `{ __type, message }` with status 400), real AES-256-GCM
// under a master key per KMS key, the encryption context bound to every ciphertext, and KMS's exceptions
// (NotFoundException, IncorrectKeyException, InvalidCiphertextException, DisabledException). The real
// @aws-sdk/client-kms talks to it through AWS_ENDPOINT_URL_KMS. LocalStack's KMS works the same way (README).
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in answered: what a test checks (who asked what, under which context). */
export interface KmsRequest {
  operation: string;
  keyId?: string;
  context?: Record<string, string>;
}

export interface KmsStandIn {
  /** `http://127.0.0.1:<port>`: AWS_ENDPOINT_URL_KMS. */
  endpoint: string;
  /** Creates an enabled key; returns its ARN. */
  createKey(): string;
  /** Disables a key (requests that use it get DisabledException). */
  disableKey(arn: string): void;
  readonly requests: KmsRequest[];
  stop(): Promise<void>;
}

class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Key {
  arn: string;
  material: Buffer;
  enabled: boolean;
}

const IV = 12;
const TAG = 16;
const ID = 36;

/** KMS binds the context as a whole: the same pairs in any order, nothing more, nothing less. */
function canonical(context: unknown): Buffer {
  const pairs = Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs), 'utf8');
}

function blob(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value === '')
    throw new KmsFault('ValidationException', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`);
  return Buffer.from(value, 'base64');
}

/** Starts the stand-in on a free port of 127.0.0.1. */
export async function startKmsStandIn(options: { region?: string; account?: string } = {}): Promise<KmsStandIn> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const keys = new Map<string, Key>();
  const requests: KmsRequest[] = [];

  const find = (keyId: unknown): Key => {
    const id = String(keyId ?? '');
    const key = keys.get(id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id);
    if (!key || (id.startsWith('arn:') && key.arn !== id)) throw new KmsFault('NotFoundException', `Key '${id}' does not exist`);
    if (!key.enabled) throw new KmsFault('DisabledException', `${key.arn} is disabled.`);
    return key;
  };

  const seal = (key: Key, plaintext: Buffer, context: unknown): Buffer => {
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(canonical(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from(key.arn.slice(-ID), 'ascii'), iv, cipher.getAuthTag(), body]);
  };

  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    GenerateDataKey(input) {
      const key = find(input.KeyId);
      const bytes = input.KeySpec === 'AES_256' ? 32 : input.KeySpec === 'AES_128' ? 16 : Number(input.NumberOfBytes);
      if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024)
        throw new KmsFault('ValidationException', 'Please specify either number of bytes or key spec.');
      const plaintext = randomBytes(bytes);
      return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), CiphertextBlob: seal(key, plaintext, input.EncryptionContext).toString('base64') };
    },
    Encrypt(input) {
      const key = find(input.KeyId);
      return {
        KeyId: key.arn,
        CiphertextBlob: seal(key, blob(input.Plaintext, 'plaintext'), input.EncryptionContext).toString('base64'),
        EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      };
    },
    Decrypt(input) {
      const raw = blob(input.CiphertextBlob, 'ciphertextBlob');
      if (raw.length < ID + IV + TAG) throw new KmsFault('InvalidCiphertextException', '');
      const owner = keys.get(raw.subarray(0, ID).toString('ascii'));
      if (input.KeyId !== undefined) {
        const named = find(input.KeyId);
        if (owner !== named) throw new KmsFault('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
      }
      if (!owner) throw new KmsFault('InvalidCiphertextException', '');
      if (!owner.enabled) throw new KmsFault('DisabledException', `${owner.arn} is disabled.`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', owner.material, raw.subarray(ID, ID + IV));
        decipher.setAAD(canonical(input.EncryptionContext));
        decipher.setAuthTag(raw.subarray(ID + IV, ID + IV + TAG));
        const plaintext = Buffer.concat([decipher.update(raw.subarray(ID + IV + TAG)), decipher.final()]);
        return { KeyId: owner.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      } catch {
        throw new KmsFault('InvalidCiphertextException', '');
      }
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
    try {
      if (req.method !== 'POST' || !operations[operation]) throw new KmsFault('UnknownOperationException', `unknown operation ${JSON.stringify(target)}`);
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw new KmsFault('SerializationException', 'the request body is not JSON');
      }
      requests.push({ operation, keyId: input.KeyId as string | undefined, context: input.EncryptionContext as Record<string, string> | undefined });
      answer(res, 200, operations[operation](input));
    } catch (error) {
      if (!(error instanceof KmsFault)) return answer(res, 500, { __type: 'KMSInternalException', message: String(error) });
      answer(res, 400, { __type: error.type, message: error.message });
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    createKey() {
      const id = randomUUID();
      const arn = `arn:aws:kms:${region}:${account}:key/${id}`;
      keys.set(id, { arn, material: randomBytes(32), enabled: true });
      return arn;
    },
    disableKey(arn) {
      const key = keys.get(arn.slice(-ID));
      if (key) key.enabled = false;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
