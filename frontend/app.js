// HSB Portal progressive enhancement. Pages work without this file.
//
// Loaded as <script type="module">, so it only runs in browsers that GOV.UK
// Frontend supports. It replaces the inline script of the GOV.UK page
// template (inline scripts are forbidden by the Content-Security-Policy).
import { initAll } from './govuk-frontend.min.js'

document.body.classList.add('govuk-frontend-supported')
initAll()
