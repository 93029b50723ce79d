export { ChatTranscript } from './chat-transcript/chat-transcript.js';
export { ChatComposer } from './chat-composer/chat-composer.js';
export { VideoChatPane } from './video-chat-pane/video-chat-pane.js';
export { CustomerChat, storageKeyFor, type StoredConversation } from './customer-chat/customer-chat.js';
export { ConversationStateController, DEFAULT_FORWARDED_EVENTS, type ConversationStateControllerOptions } from './conversation-controller-host.js';
export * from './events.js';
