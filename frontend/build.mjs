// Front-end build for HSB Portal.
//
//   npm run build   (== node frontend/build.mjs)
//
// Outputs (all under static/govuk/, which is a build output and is not committed):
//   static/govuk/app.css                 compiled from frontend/app.scss (compressed, no source map)
//   static/govuk/app.js                  copied from frontend/app.js (ES module)
//   static/govuk/govuk-frontend.min.js   copied from govuk-frontend (ES module, exports initAll)
//   static/govuk/govuk-frontend.min.js.map  (its source map, referenced by the .js)
//   static/govuk/favicon.svg             copied from frontend/favicon.svg (HSB Portal icon, no crown)
//   static/govuk/assets/images/, static/govuk/assets/manifest.json
//                                        copied from govuk-frontend (fonts are deliberately NOT copied:
//                                        the service uses Arial, not GDS Transport)
//
// Only Node built-ins and the `sass` devDependency are used, so this runs anywhere `npm ci` has run.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const nodeModules = join(root, 'node_modules')
const govuk = join(nodeModules, 'govuk-frontend', 'dist', 'govuk')
const out = join(root, 'static', 'govuk')

if (!existsSync(govuk)) {
  console.error(`govuk-frontend not found at ${govuk}: run "npm ci" (or "npm install") first.`)
  process.exit(1)
}

// Start from a clean output folder so removed files never linger.
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

// (a) Sass -> CSS. Warnings from govuk-frontend itself are silenced (quietDeps);
// warnings from our own app.scss still print, and any error fails the build.
const result = sass.compile(join(root, 'frontend', 'app.scss'), {
  loadPaths: [nodeModules],
  style: 'compressed',
  sourceMap: false,
  quietDeps: true,
})
writeFileSync(join(out, 'app.css'), result.css + '\n')

// (b) govuk-frontend JavaScript and assets (images + manifest, not fonts).
// The source map is copied too: the .js ends with a sourceMappingURL comment, and
// Django's ManifestStaticFilesStorage (collectstatic) fails if that file is missing.
for (const name of ['govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
  cpSync(join(govuk, name), join(out, name))
}
cpSync(join(govuk, 'assets'), join(out, 'assets'), {
  recursive: true,
  filter: (src) => !src.startsWith(join(govuk, 'assets', 'fonts')),
})

// (c) Project JavaScript and icon.
cpSync(join(root, 'frontend', 'app.js'), join(out, 'app.js'))
cpSync(join(root, 'frontend', 'favicon.svg'), join(out, 'favicon.svg'))

console.log(`Built ${out}`)
