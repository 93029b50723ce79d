import type { CustomerDirectory, CustomerMatch } from '../session/index.js';
import { dispatchVcEvent } from './events.js';

/**
 * The host page's CRM as a customer directory: asked with the cancelable
 * `vc-customer-search` fired from `target`. A host that cancels it answers
 * with `detail.respond(matches)`, at once or later; one that does not leaves
 * the search to the next directory.
 */
export function hostCustomerDirectory(target: HTMLElement): CustomerDirectory {
  return {
    search: (query) => {
      let answer: CustomerMatch[] | undefined;
      let later: ((matches: CustomerMatch[]) => void) | undefined;
      const respond = (matches: CustomerMatch[]) => (later ? later(matches) : (answer = matches));
      const handled = !dispatchVcEvent(target, 'vc-customer-search', { query, respond });
      if (answer || !handled) return answer;
      return new Promise((resolve) => (later = resolve));
    },
  };
}
