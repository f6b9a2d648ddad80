/**
 * The marketing-style page of figure 12 (Lighthouse): a landing page as a small company would ship it, every byte from
 * its own origin (inline CSS, system fonts, one SVG illustration), with or without one avatar in its hero. The avatar
 * goes in as the README's Quick start has it: the CDN bundle as a module script in the head, the `:not(:defined)`
 * rule that reserves its box before the script runs, and the tag.
 */

const CSS = `
  *, *::before, *::after { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2433; background: #fff; }
  a { color: inherit; }
  .wrap { max-width: 1120px; margin: 0 auto; padding: 0 20px; }
  .top { display: flex; align-items: center; justify-content: space-between; height: 60px; }
  .logo { font-weight: 800; font-size: 1.2rem; text-decoration: none; color: #4338ca; }
  .top nav a { margin-left: 16px; text-decoration: none; font-size: .95rem; }
  .hero { display: grid; gap: 28px; padding: 24px 0 40px; align-items: center; }
  .eyebrow { display: inline-block; margin: 0; padding: 2px 10px; border-radius: 999px; background: #eef2ff; color: #4338ca; font-size: .85rem; }
  h1 { font-size: clamp(2rem, 5vw, 3.2rem); line-height: 1.12; margin: 14px 0; letter-spacing: -.02em; }
  .lede { font-size: 1.1rem; color: #475069; margin: 0 0 22px; }
  .btn { display: inline-block; padding: 12px 20px; border-radius: 10px; border: 1px solid #c7cbe0; text-decoration: none; font-weight: 600; margin: 0 8px 8px 0; }
  .btn.primary { background: #4338ca; border-color: #4338ca; color: #fff; }
  navtalk-avatar { width: min(100%, 360px); justify-self: center; --navtalk-accent: #4338ca; }
  .showcase img { display: block; width: 100%; height: auto; border-radius: 16px; box-shadow: 0 10px 40px #1f243326; }
  section { padding: 36px 0; }
  h2 { font-size: 1.7rem; line-height: 1.2; margin: 0 0 16px; }
  .cards { display: grid; gap: 18px; }
  .card { padding: 20px; border: 1px solid #e4e6f0; border-radius: 14px; }
  .card h3 { margin: 0 0 6px; font-size: 1.1rem; }
  .card p { margin: 0; color: #475069; }
  blockquote { margin: 0; padding: 24px; border-left: 4px solid #4338ca; background: #f7f8fc; border-radius: 0 14px 14px 0; font-size: 1.15rem; }
  blockquote footer { margin-top: 10px; font-size: .95rem; color: #475069; }
  .price { font-size: 2rem; font-weight: 800; }
  .site-footer { border-top: 1px solid #e4e6f0; padding: 28px 0 40px; color: #5b6380; font-size: .9rem; }
  .site-footer nav a { margin-right: 16px; }
  @media (min-width: 900px) {
    .hero { grid-template-columns: 1.2fr 1fr; padding: 56px 0 64px; }
    .cards { grid-template-columns: repeat(3, 1fr); }
  }
`;

/** The hero illustration: a product screenshot drawn in SVG (1200 x 640), the page's largest image. */
export const HERO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="640" viewBox="0 0 1200 640">
<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#4338ca"/><stop offset="1" stop-color="#0ea5e9"/></linearGradient></defs>
<rect width="1200" height="640" fill="url(#bg)"/>
<rect x="80" y="70" width="1040" height="520" rx="18" fill="#fff"/>
<rect x="80" y="70" width="240" height="520" rx="18" fill="#f1f3fa"/>
<g fill="#c7cbe0">${[0, 1, 2, 3, 4, 5].map((i) => `<rect x="110" y="${120 + i * 56}" width="${150 - (i % 3) * 22}" height="18" rx="9"/>`).join('')}</g>
<g>${[0, 1, 2, 3].map((i) => `<rect x="360" y="${110 + i * 112}" width="720" height="88" rx="12" fill="${i === 1 ? '#eef2ff' : '#f7f8fc'}"/><circle cx="404" cy="${154 + i * 112}" r="22" fill="${['#f59e0b', '#4338ca', '#10b981', '#ef4444'][i]}"/><rect x="444" y="${134 + i * 112}" width="${380 - i * 40}" height="14" rx="7" fill="#9aa1bd"/><rect x="444" y="${160 + i * 112}" width="${520 - i * 60}" height="12" rx="6" fill="#d5d9e8"/>`).join('')}</g>
</svg>`;

const FEATURES: [string, string][] = [
  ['Answers in seconds', 'Every question gets a reply drawn from your help centre, your policies and past tickets, written in your voice.'],
  ['Hands off to people', 'When a customer needs a person, the whole conversation goes to the right agent with a summary on top.'],
  ['Speaks their language', 'Brightside answers in 40 languages and keeps the terms your team uses in every one of them.'],
];

const PLANS: [string, string, string][] = [
  ['Starter', '$29', 'One inbox, 1,000 conversations a month, email support.'],
  ['Team', '$99', 'Five inboxes, 10,000 conversations, hand-off to Slack and your help desk.'],
  ['Business', '$299', 'Unlimited inboxes, single sign-on, a named success manager.'],
];

/**
 * The page; `avatar`: the tag to put in the hero (none for the page alone). With an avatar, the head loads the CDN
 * bundle and has the Quick start's `:not(:defined)` rule, and any `rules` more.
 */
export function marketingPage(avatar?: string, rules = ''): string {
  const head = avatar
    ? `<script type="module" src="/navtalk-avatar.js"></script>\n<style>navtalk-avatar:not(:defined) { display: block; aspect-ratio: 1; }${rules && ` ${rules}`}</style>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Brightside: customer support that feels like a conversation</title>
<meta name="description" content="Brightside answers your customers' questions in seconds, in their language, and hands off to your team when it matters.">
<style>${CSS}</style>
${head}
</head>
<body>
<header class="wrap top"><a class="logo" href="/">Brightside</a><nav><a href="#features">Features</a><a href="#pricing">Pricing</a><a href="#signin">Sign in</a></nav></header>
<main>
<div class="wrap hero">
  <div>
    <p class="eyebrow">New: answers in 40 languages</p>
    <h1>Customer support that feels like a conversation</h1>
    <p class="lede">Brightside answers your customers' questions in seconds, day and night, from what your team already
    knows. It hands the hard ones to a person with the whole story attached, so nobody has to ask twice.</p>
    <a class="btn primary" href="#pricing">Start a free trial</a><a class="btn" href="#features">See how it works</a>
  </div>
  ${avatar ?? ''}
</div>
<section class="wrap showcase"><img src="/hero.svg" width="1200" height="640" alt="The Brightside inbox: four conversations, one highlighted"></section>
<section class="wrap" id="features">
  <h2>Everything your support team wishes it had time for</h2>
  <div class="cards">${FEATURES.map(([title, text]) => `<div class="card"><h3>${title}</h3><p>${text}</p></div>`).join('')}</div>
</section>
<section class="wrap">
  <blockquote>"We answer twice as many customers with the same team, and our satisfaction score went up, not down."
  <footer>Maria Okafor, Head of Support at Fieldnote</footer></blockquote>
</section>
<section class="wrap" id="pricing">
  <h2>Simple pricing</h2>
  <div class="cards">${PLANS.map(([name, price, text]) => `<div class="card"><h3>${name}</h3><p class="price">${price}<small>/mo</small></p><p>${text}</p></div>`).join('')}</div>
</section>
</main>
<footer class="site-footer"><div class="wrap"><nav><a href="#about">About</a><a href="#careers">Careers</a><a href="#privacy">Privacy</a><a href="#terms">Terms</a></nav>
<p>&copy; 2026 Brightside Inc. All rights reserved.</p></div></footer>
</body>
</html>
`;
}
