/** English messages: frame (ICU MessageFormat). The reference every other catalog is checked against. */
export default {
  'frame.title': '{title} · {product}',
  'frame.skip_to_content': 'Skip to content',
  'frame.footer.default': 'Protected by {product}. One sign-in for every app.',
  'frame.footer.links_label': 'Footer links',
  'frame.language.label': 'Language',
  'frame.language.submit': 'Change',
} as const satisfies Record<string, string>;
