// Flat config: TypeScript-aware rules for the extension source, Node globals for build scripts and tests.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'artifacts/', 'e2e/.output/', 'test/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, chrome: 'readonly' } },
    rules: {
      // Data never becomes markup: build DOM with textContent (see src/shared/dom.ts).
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Use textContent / the h() helper; never innerHTML.' },
        { property: 'outerHTML', message: 'Use textContent / the h() helper; never outerHTML.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
          message: 'Use DOM APIs, never insertAdjacentHTML.',
        },
      ],
    },
  },
  {
    files: ['scripts/**', 'e2e/**', 'test/**', '*.js', '*.ts', '*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Functions passed to page.evaluate / worker.evaluate run in the browser.
    files: ['e2e/**'],
    languageOptions: { globals: { ...globals.browser, chrome: 'readonly' } },
  },
);
