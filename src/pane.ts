// Entry of the agent pane bundle (dist/cdn/pane.js): <video-chat-pane> alone,
// for a CRM that embeds one conversation without the other elements.
import './components/video-chat-pane/video-chat-pane.js';
