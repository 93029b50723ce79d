// Entry of the script-tag widget bundle (dist/cdn/widget.js), loaded by loader.js.
import './components/customer-chat/customer-chat.js';
// The page API (window.VideoChat), put in place by loader.js once the widget is mounted.
export { adoptPageApi } from './page-api.js';
