// The service worker only wires browser events. The side panel owns the UI and the API calls; it hands the
// badge count over through storage.session, and this worker mirrors it onto the toolbar icon.

const BADGE_KEY = 'badgeCount';

// Clicking the toolbar icon opens the side panel (Chrome and Edge). We open it from action.onClicked rather
// than setPanelBehavior({ openPanelOnActionClick: true }): with that behaviour Chrome opens the panel without
// firing onClicked and without counting the click as invoking the extension, so activeTab is never granted
// and "Fill from this page" could not read the page. Handling the click ourselves grants activeTab for the
// tab the coach is on — the only page access the extension ever gets. open() must run synchronously in the
// listener, while the click still counts as a user gesture.
chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: false }).catch(() => undefined);
chrome.action.onClicked.addListener((tab) => {
  chrome.sidePanel.open({ windowId: tab.windowId }).catch(() => undefined);
});

// storage.session holds the access token: keep it out of reach of any content script (the default, made
// explicit so a future change can't loosen it by accident).
chrome.storage.session.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => undefined);

chrome.runtime.onInstalled.addListener((details) => {
  if (details.reason === 'install') chrome.runtime.openOptionsPage().catch(() => undefined);
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'session' && BADGE_KEY in changes) showBadge(changes[BADGE_KEY]?.newValue);
});

chrome.storage.session.get(BADGE_KEY).then((items) => showBadge(items[BADGE_KEY]));

function showBadge(value: unknown): void {
  const count = typeof value === 'number' && value > 0 ? value : 0;
  chrome.action
    .setBadgeText({ text: count === 0 ? '' : count > 99 ? '99+' : String(count) })
    .catch(() => undefined);
  chrome.action.setBadgeBackgroundColor({ color: '#b3261e' }).catch(() => undefined);
  chrome.action
    .setTitle({
      title: count ? `CoachFlow — ${count} engagement${count === 1 ? '' : 's'} need you` : 'CoachFlow',
    })
    .catch(() => undefined);
}
