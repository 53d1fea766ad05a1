/** Settings › Connection's words, English and Danish. */
import { defineMessages, type Params } from '../../lib/i18n.svelte';
import type { CallOutput } from '../../lib/types';

export const t = defineMessages({
  en: {
    title: 'Connection',
    intro: 'Which Spirii API this desk sends tokens to. Each connection keeps its own API key, stored in the OS keychain.',
    inUse: 'In use: {url}',
    inUseSandbox: 'In use: the built-in sandbox (nothing reaches Spirii)',
    fromEnvironment: 'Set by TOKEN_STATION_API_KEY in the environment: it decides until it is removed.',
    profiles: 'Connections',
    'profile.builtin-sandbox': 'Built-in sandbox',
    'profile.spirii-production': 'Spirii (production)',
    'profile.spirii-sandbox': "Spirii's sandbox",
    'profile.custom': 'Custom URL',
    'hint.builtin-sandbox': 'A local copy of the API with demo customers, for training. Needs no key.',
    'hint.spirii-production': 'Real customers and real tokens.',
    'hint.spirii-sandbox': "Spirii's test system.",
    'hint.custom': 'Another server, for example a test system of your own. https only.',
    activeBadge: 'in use',
    url: 'URL',
    saveUrl: 'Save URL',
    urlSaved: 'URL saved.',
    key: 'API key',
    keyHint: 'Entered once: afterwards only its last characters are shown.',
    keyStored: 'Key stored in {backend}',
    keyStoredWeak: 'Key stored WITHOUT protection ({backend})',
    keySession: 'Key kept for this session only: it is asked again when the app restarts.',
    keyUnreadable: 'The stored key cannot be read on this computer or by this user (the keychain changed): enter the key again.',
    keyNone: 'No key entered yet.',
    replaceKey: 'Replace key',
    forgetKey: 'Forget key',
    cancel: 'Cancel',
    test: 'Test connection',
    testing: 'Testing…',
    saveKey: 'Save key',
    saving: 'Saving…',
    keySaved: 'Key saved.',
    use: 'Use this connection',
    useNeedsTest: 'Test the connection first: it can be used once the test passes.',
    backendNone: 'no keychain',
    using: 'Switching…',
    selected: 'Now using this connection.',
    result: 'Test result',
    'step.reach': 'Server reached',
    'step.tls': 'Secure connection (TLS)',
    'step.key': 'API key accepted',
    'step.tokens': 'Tokens can be listed',
    stepOk: 'passed',
    stepFailed: 'failed',
    stepSkipped: 'not tried',
    allOk: 'Everything works: this connection is ready.',
    notOk: 'The connection does not work yet: see the first failed step.',
    weakTitle: 'This computer has no keychain to protect the key',
    weakBody:
      'The OS reports "{backend}": a key stored now would only be obfuscated, and anyone who can read your files could recover it. Install and unlock GNOME Keyring or KWallet and restart the app, or choose:',
    noneBody: 'This computer cannot encrypt the key. It can be kept for this session only.',
    storeWeak: 'Store it anyway, unprotected',
    sessionOnly: 'Keep it for this session only',
    storageWarning: 'Keys on this computer are not protected by an OS keychain ({backend}).',
    'why.reached': '{host} answers on port {port}',
    'why.reach-timeout': '{host}:{port} did not answer in {seconds} s',
    'why.unknown-host': '{host} is not a known host name (DNS)',
    'why.unreachable': 'Cannot reach {host}:{port} ({error})',
    'why.certificate-invalid': 'The certificate is not valid for {host}: {error}',
    'why.tls-ok': '{version}, certificate for {subject} from {issuer}',
    'why.tls-ok-until': '{version}, certificate for {subject} from {issuer}, valid until {until}',
    'why.unknown-issuer': 'an unknown issuer',
    'why.tls-timeout': 'No TLS handshake with {host} in {seconds} s',
    'why.tls-failed': 'TLS failed: {error}',
    'why.plain-http': 'Plain http to a server on this computer: no TLS',
    'why.not-tried': 'Not tried: an earlier step failed',
    'why.key-accepted': 'The API key was accepted',
    'why.key-refused': 'The API key was refused ({error})',
    'why.unexpected-answer': 'The API did not answer as expected ({error})',
    'why.tokens-listed': 'Tokens can be listed ({count} in total)',
    'why.tokens-failed': 'Tokens cannot be listed ({error})',
    'problem.no-custom-url': 'Enter the custom URL in Settings → Connection.',
    'problem.no-key': 'No API key for this connection: enter it in Settings → Connection.',
    'problem.app-only': 'The stored key can only be read by the Token Station app.',
    'problem.unreadable': 'The stored API key cannot be read on this computer or by this user (the keychain changed): enter the key again.',
  },
  da: {
    useNeedsTest: 'Test forbindelsen først: den kan bruges, når testen er bestået.',
    backendNone: 'ingen nøglering',
    title: 'Forbindelse',
    intro: 'Hvilket Spirii-API denne skranke sender tokens til. Hver forbindelse har sin egen API-nøgle, gemt i styresystemets nøglering.',
    inUse: 'I brug: {url}',
    inUseSandbox: 'I brug: den indbyggede sandkasse (intet når Spirii)',
    fromEnvironment: 'Sat af TOKEN_STATION_API_KEY i miljøet: den bestemmer, indtil den fjernes.',
    profiles: 'Forbindelser',
    'profile.builtin-sandbox': 'Indbygget sandkasse',
    'profile.spirii-production': 'Spirii (produktion)',
    'profile.spirii-sandbox': 'Spiriis sandkasse',
    'profile.custom': 'Egen URL',
    'hint.builtin-sandbox': 'En lokal kopi af API’et med demokunder, til oplæring. Kræver ingen nøgle.',
    'hint.spirii-production': 'Rigtige kunder og rigtige kort.',
    'hint.spirii-sandbox': 'Spiriis testsystem.',
    'hint.custom': 'En anden server, fx jeres eget testsystem. Kun https.',
    activeBadge: 'i brug',
    url: 'URL',
    saveUrl: 'Gem URL',
    urlSaved: 'URL gemt.',
    key: 'API-nøgle',
    keyHint: 'Indtastes én gang: derefter vises kun de sidste tegn.',
    keyStored: 'Nøglen er gemt i {backend}',
    keyStoredWeak: 'Nøglen er gemt UDEN beskyttelse ({backend})',
    keySession: 'Nøglen huskes kun i denne session: den skal indtastes igen, når appen genstartes.',
    keyUnreadable: 'Den gemte nøgle kan ikke læses på denne computer eller af denne bruger (nøgleringen er ændret): indtast nøglen igen.',
    keyNone: 'Ingen nøgle indtastet endnu.',
    replaceKey: 'Skift nøgle',
    forgetKey: 'Glem nøgle',
    cancel: 'Annullér',
    test: 'Test forbindelsen',
    testing: 'Tester…',
    saveKey: 'Gem nøgle',
    saving: 'Gemmer…',
    keySaved: 'Nøglen er gemt.',
    use: 'Brug denne forbindelse',
    using: 'Skifter…',
    selected: 'Denne forbindelse er nu i brug.',
    result: 'Testresultat',
    'step.reach': 'Serveren svarer',
    'step.tls': 'Sikker forbindelse (TLS)',
    'step.key': 'API-nøglen er godkendt',
    'step.tokens': 'Tokens kan vises',
    stepOk: 'bestået',
    stepFailed: 'fejlet',
    stepSkipped: 'ikke prøvet',
    allOk: 'Alt virker: forbindelsen er klar.',
    notOk: 'Forbindelsen virker ikke endnu: se det første trin, der fejlede.',
    weakTitle: 'Denne computer har ingen nøglering til at beskytte nøglen',
    weakBody:
      'Styresystemet melder "{backend}": en nøgle gemt nu ville kun være sløret, og alle, der kan læse dine filer, kunne finde den. Installér og lås GNOME Keyring eller KWallet op og genstart appen, eller vælg:',
    noneBody: 'Denne computer kan ikke kryptere nøglen. Den kan kun huskes i denne session.',
    storeWeak: 'Gem den alligevel, ubeskyttet',
    sessionOnly: 'Husk den kun i denne session',
    storageWarning: 'Nøgler på denne computer er ikke beskyttet af en nøglering ({backend}).',
    'why.reached': '{host} svarer på port {port}',
    'why.reach-timeout': '{host}:{port} svarede ikke inden for {seconds} s',
    'why.unknown-host': '{host} er ikke et kendt værtsnavn (DNS)',
    'why.unreachable': '{host}:{port} kan ikke nås ({error})',
    'why.certificate-invalid': 'Certifikatet er ikke gyldigt for {host}: {error}',
    'why.tls-ok': '{version}, certifikat for {subject} fra {issuer}',
    'why.tls-ok-until': '{version}, certifikat for {subject} fra {issuer}, gyldigt til {until}',
    'why.unknown-issuer': 'en ukendt udsteder',
    'why.tls-timeout': 'Intet TLS-håndtryk med {host} inden for {seconds} s',
    'why.tls-failed': 'TLS fejlede: {error}',
    'why.plain-http': 'Almindelig http til en server på denne computer: ingen TLS',
    'why.not-tried': 'Ikke prøvet: et tidligere trin fejlede',
    'why.key-accepted': 'API-nøglen blev godkendt',
    'why.key-refused': 'API-nøglen blev afvist ({error})',
    'why.unexpected-answer': 'API’et svarede ikke som forventet ({error})',
    'why.tokens-listed': 'Tokens kan vises ({count} i alt)',
    'why.tokens-failed': 'Tokens kan ikke vises ({error})',
    'problem.no-custom-url': 'Indtast den egne URL under Indstillinger → Forbindelse.',
    'problem.no-key': 'Ingen API-nøgle til denne forbindelse: indtast den under Indstillinger → Forbindelse.',
    'problem.app-only': 'Den gemte nøgle kan kun læses af Token Station-appen.',
    'problem.unreadable': 'Den gemte API-nøgle kan ikke læses på denne computer eller af denne bruger (nøgleringen er ændret): indtast nøglen igen.',
  },
});

type Check = CallOutput<'connections.test'>;
type Reason = NonNullable<Check['steps'][number]['reason']>;

/** A test step's outcome in the window's language; host names, certificate names and error text stay as they came. */
export function stepDetail(step: Check['steps'][number]): string {
  const reason: Reason | undefined = step.reason;
  if (!reason) return step.detail;
  switch (reason.key) {
    case 'reached':
    case 'reach-timeout':
    case 'unreachable':
      // A port is a name, not an amount: no thousands separator.
      return t(`why.${reason.key}`, { ...reason.params, port: String(reason.params.port) } as Params);
    case 'tls-ok': {
      const p = reason.params;
      return t(p.until ? 'why.tls-ok-until' : 'why.tls-ok', {
        version: p.version,
        subject: p.subject,
        issuer: p.issuer ?? t('why.unknown-issuer'),
        until: p.until ?? '',
      });
    }
    case 'tokens-listed':
      return t('why.tokens-listed', { count: String(reason.params.count) });
    default:
      return t(`why.${reason.key}`, reason.params as Params);
  }
}

/** Why the connection in use cannot be used yet; the core's English when it sent no code. */
export function problemText(view: CallOutput<'connections.list'>): string | null {
  if (!view.problem) return null;
  return view.problemDetail ? t(`problem.${view.problemDetail.key}`) : view.problem;
}
