import { describe, expect, it } from 'vitest';
import * as runtime from '../../runtime/index.ts';
import {
  AddressTerminatedError,
  ConnectFailedError,
  ConnectionLostError,
  DeadLetterError,
  DecodeError,
  FrameTooLargeError,
  InvalidConfigError,
  InvalidNameError,
  MailboxFullError,
  NameExistsError,
  PlacementError,
  SerializationError,
  SpindleError,
  SystemStoppedError,
  ThreadCrashedError,
  TimeoutError,
  TransportClosedError,
  UnknownKindError,
} from '../../runtime/index.ts';

type ErrorClass = abstract new (...args: never[]) => SpindleError;

/** Every error class of the runtime, with constructor arguments and the code it must carry. */
const ERRORS: readonly {
  readonly type: ErrorClass;
  readonly args: readonly unknown[];
  readonly code: string;
  readonly mentions: string;
}[] = [
  { type: TimeoutError, args: ['request timed out'], code: 'ERR_TIMEOUT', mentions: 'timed out' },
  { type: DeadLetterError, args: ['local/$1'], code: 'ERR_DEAD_LETTER', mentions: 'local/$1' },
  { type: NameExistsError, args: ['orders'], code: 'ERR_NAME_EXISTS', mentions: 'orders' },
  {
    type: InvalidNameError,
    args: ['$x', 'reserved'],
    code: 'ERR_INVALID_NAME',
    mentions: 'reserved',
  },
  { type: MailboxFullError, args: ['local/$2', 8], code: 'ERR_MAILBOX_FULL', mentions: '8' },
  {
    type: InvalidConfigError,
    args: ['throughput must be positive'],
    code: 'ERR_INVALID_CONFIG',
    mentions: 'throughput',
  },
  {
    type: SystemStoppedError,
    args: ['spawn x'],
    code: 'ERR_SYSTEM_STOPPED',
    mentions: 'spawn x',
  },
  {
    type: SerializationError,
    args: ['Secret', 'class instance at message has no registered codec'],
    code: 'ERR_NOT_SERIALIZABLE',
    mentions: 'Secret',
  },
  { type: DecodeError, args: ['truncated frame'], code: 'ERR_DECODE', mentions: 'truncated' },
  { type: FrameTooLargeError, args: [9000, 4096], code: 'ERR_FRAME_TOO_LARGE', mentions: '4096' },
  { type: PlacementError, args: ['no kind'], code: 'ERR_PLACEMENT', mentions: 'no kind' },
  { type: UnknownKindError, args: ['counter'], code: 'ERR_UNKNOWN_KIND', mentions: 'counter' },
  {
    type: ConnectFailedError,
    args: ['10.0.0.7:4020', 'ECONNREFUSED'],
    code: 'ERR_CONNECT_FAILED',
    mentions: 'ECONNREFUSED',
  },
  {
    type: ConnectionLostError,
    args: ['the stream was cancelled'],
    code: 'ERR_CONNECTION_LOST',
    mentions: 'cancelled',
  },
  {
    type: TransportClosedError,
    args: ['connect'],
    code: 'ERR_TRANSPORT_CLOSED',
    mentions: 'connect',
  },
  {
    type: AddressTerminatedError,
    args: ['10.0.0.7:4020'],
    code: 'ERR_ADDRESS_TERMINATED',
    mentions: '10.0.0.7:4020',
  },
  {
    type: ThreadCrashedError,
    args: [2, 'exited with code 7'],
    code: 'ERR_THREAD_CRASHED',
    mentions: 'code 7',
  },
];

function make(type: ErrorClass, args: readonly unknown[]): SpindleError {
  return Reflect.construct(type, args) as SpindleError;
}

describe('errors', () => {
  it.each(ERRORS.map((e) => [e.type.name, e] as const))(
    'errors: %s has its stable code, its class name and extends SpindleError',
    (_, { type, args, code, mentions }) => {
      const error = make(type, args);
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(SpindleError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(type.name);
      expect(error.message).toContain(mentions);
      expect(error.stack).toContain(type.name);
      expect(String(error)).toBe(`${type.name}: ${error.message}`);
    },
  );

  it('errors: codes are unique and follow the ERR_UPPER_SNAKE form', () => {
    const codes = ERRORS.map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^ERR_[A-Z]+(_[A-Z]+)*$/);
  });

  it('errors: every error class the runtime exports is covered here', () => {
    const exported = Object.entries(runtime)
      .filter(
        ([, value]) =>
          typeof value === 'function' &&
          (value === SpindleError || value.prototype instanceof SpindleError),
      )
      .map(([name]) => name)
      .sort();
    expect(exported).toEqual(['SpindleError', ...ERRORS.map((e) => e.type.name)].sort());
  });

  it('errors: SpindleError keeps the given code and passes cause through', () => {
    const cause = new Error('socket reset');
    const error = new SpindleError('ERR_CUSTOM', 'custom failure', { cause });
    expect(error.code).toBe('ERR_CUSTOM');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('SpindleError');
    expect(new SpindleError('ERR_CUSTOM', 'no cause').cause).toBeUndefined();
  });

  it('errors: TimeoutError passes cause through', () => {
    const cause = { reason: 'not an Error' };
    expect(new TimeoutError('late', { cause }).cause).toBe(cause);
  });

  it('errors: typed fields are kept for callers that match on them', () => {
    expect(new DeadLetterError('local/x').target).toBe('local/x');
    expect(new NameExistsError('a/b').id).toBe('a/b');
    expect(new InvalidNameError('', 'empty').actorName).toBe('');
    expect(new MailboxFullError('local/y', 16)).toMatchObject({
      target: 'local/y',
      capacity: 16,
    });
  });

  it('errors: a subclass defined outside the runtime gets its own name and code', () => {
    class QuotaExceededError extends SpindleError {
      constructor() {
        super('ERR_QUOTA', 'quota exceeded');
      }
    }
    const error = new QuotaExceededError();
    expect(error.name).toBe('QuotaExceededError');
    expect(error.code).toBe('ERR_QUOTA');
    expect(error).toBeInstanceOf(SpindleError);
  });

  it('errors: every error class accepts { cause } after its own arguments and passes it through', () => {
    const cause = new Error('underlying');
    const dropped = ERRORS.filter(
      ({ type, args }) => make(type, [...args, { cause }]).cause !== cause,
    ).map(({ type }) => type.name);
    expect(dropped).toEqual([]);
  });
});
