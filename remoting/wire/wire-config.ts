/**
 * Constants of the remoting wire format (`proto/remote.proto`). Field tags are
 * `(field number << 3) | wire type`, with wire type 0 for varints and 2 for length-delimited
 * fields; the batch encoder writes them and the frame decoder checks them.
 */

/** The protocol version both sides announce in the handshake; a mismatch is refused. */
export const PROTOCOL_VERSION = 1;

/** Which queue of the target an envelope goes to: `MessageEnvelope.Kind` in the schema. */
export type EnvelopeKind = 0 | 1 | 2;
/** A user message. */
export const KIND_USER = 0;
/** A system message, delivered ahead of user messages. */
export const KIND_SYSTEM = 1;
/** Stop the target now. */
export const KIND_STOP = 2;

/** Wire type of varint fields. */
export const WIRE_VARINT = 0;
/** Wire type of 64-bit fields (skipped when unknown). */
export const WIRE_FIXED64 = 1;
/** Wire type of strings, bytes, embedded messages and map entries. */
export const WIRE_LEN = 2;
/** Wire type of 32-bit fields (skipped when unknown). */
export const WIRE_FIXED32 = 5;

/** `RemoteMessage` oneof members: field numbers. */
export const FIELD_BATCH = 1;
/** `RemoteMessage.server_hello`. */
export const FIELD_SERVER_HELLO = 2;
/** `RemoteMessage.connect_request`. */
export const FIELD_CONNECT_REQUEST = 3;
/** `RemoteMessage.connect_response`. */
export const FIELD_CONNECT_RESPONSE = 4;
/** `RemoteMessage.disconnect`. */
export const FIELD_DISCONNECT = 5;

/** `RemoteMessage.batch` tag. */
export const TAG_BATCH = (FIELD_BATCH << 3) | WIRE_LEN;
/** `MessageBatch.type_names` tag. */
export const TAG_TYPE_NAME = (1 << 3) | WIRE_LEN;
/** `MessageBatch.targets` tag. */
export const TAG_TARGET_NAME = (2 << 3) | WIRE_LEN;
/** `MessageBatch.senders` tag. */
export const TAG_SENDER_PID = (3 << 3) | WIRE_LEN;
/** `MessageBatch.envelopes` tag. */
export const TAG_ENVELOPE = (4 << 3) | WIRE_LEN;

/** `MessageEnvelope.type_id` tag. */
export const TAG_TYPE_ID = (1 << 3) | WIRE_VARINT;
/** `MessageEnvelope.message_data` tag. */
export const TAG_MESSAGE_DATA = (2 << 3) | WIRE_LEN;
/** `MessageEnvelope.target` tag. */
export const TAG_TARGET = (3 << 3) | WIRE_VARINT;
/** `MessageEnvelope.sender` tag. */
export const TAG_SENDER = (4 << 3) | WIRE_VARINT;
/** `MessageEnvelope.kind` tag. */
export const TAG_KIND = (5 << 3) | WIRE_VARINT;
/** `MessageEnvelope.headers` tag (one map entry). */
export const TAG_HEADER = (6 << 3) | WIRE_LEN;
/** `MessageEnvelope.request_id` tag. */
export const TAG_REQUEST_ID = (7 << 3) | WIRE_VARINT;

/** Field 1 of `Pid` (address) and of a map entry (key), both strings. */
export const TAG_FIRST_STRING = (1 << 3) | WIRE_LEN;
/** Field 2 of `Pid` (id) and of a map entry (value), both strings. */
export const TAG_SECOND_STRING = (2 << 3) | WIRE_LEN;
