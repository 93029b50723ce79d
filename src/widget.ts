// Entry of the script-tag widget bundle (dist/cdn/widget.js), loaded by loader.js.
import './components/customer-chat/customer-chat.js';
