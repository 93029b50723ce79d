// The English messages of the customer's message form, shown when nobody is
// available (its module: components/customer-chat/offline-form.ts): kept out
// of en.ts so a visitor who reaches an agent does not download them. The form
// adds them with useOfflineCatalogue() (./offline.ts).
export const enOffline = {
  'widget.offline-closed-until': 'We’re closed right now and open again {when}.',
  'widget.offline-closed': 'We’re closed right now.',
  'widget.offline-no-agents': 'Nobody is available to chat right now.',
  'widget.offline-intro': 'Leave us a message and we’ll answer by email.',
  'widget.offline-email': 'Your email address',
  'widget.offline-message': 'Your message',
  'widget.offline-send': 'Send message',
  'widget.offline-sending': 'Sending your message…',
  'widget.offline-sent': 'Thank you! We have your message and will answer at {email}.',
  'widget.offline-done': 'Done',
  'widget.offline-email-required': 'Enter your email address so that we can answer you.',
  'widget.offline-email-invalid': 'Enter an email address like name@example.com.',
  'widget.offline-text-required': 'Write your message.',
} as const;
