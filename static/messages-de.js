/**
 * @module
 * The page's sentences in German: the same keys and placeholders as the English table in
 * messages.js (a test checks both), used when the page's `<html lang>` is `de`.
 */

/** @type {Record<string, string>} */
export const MESSAGES_DE = {
  invalid_request: 'Die Seite hat etwas gesendet, das der Server nicht erwartet hat. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.',
  invalid_login_id:
    'Diese E-Mail-Adresse oder dieser Benutzername kann hier nicht verwendet werden. Wenn das Konto Ihnen gehört, melden Sie sich mit Ihrem Passkey an.',
  invalid_transaction: 'Dieser Schritt hat zu lange gedauert oder wurde schon verwendet. Bitte beginnen Sie neu.',
  transaction_expired: 'Das hat zu lange gedauert, der Schritt ist abgelaufen. Bitte beginnen Sie neu.',
  invalid_recovery_link: 'Dieser Anmeldelink wurde schon verwendet, ist abgelaufen oder unvollständig. Fordern Sie unter „Passkey verloren?“ einen neuen an.',
  authentication_failed: 'Dieser Passkey wurde hier nicht angenommen. Versuchen Sie es noch einmal oder wählen Sie einen anderen Passkey für diese Website.',
  unauthorized: 'Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.',
  insufficient_user_authentication: 'Bitte bestätigen Sie mit Ihrem Passkey, dass Sie es sind.',
  forbidden: 'Ihr Konto darf das nicht.',
  origin_not_allowed: 'Der Server nimmt von dieser Adresse keine Anfragen an. Öffnen Sie die Seite unter ihrer üblichen Adresse.',
  rate_limited: 'Das waren viele Versuche in kurzer Zeit. Bitte warten Sie {seconds} Sekunden und versuchen Sie es dann erneut.',
  upstream_error: 'Der Anmeldedienst hatte ein Problem. Bitte versuchen Sie es gleich noch einmal.',
  upstream_timeout: 'Der Anmeldedienst hat zu lange nicht geantwortet. Bitte beginnen Sie neu.',
  unavailable: 'Der Server ist kurz nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.',
  network_error: 'Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  payload_too_large: 'Die Seite hat etwas gesendet, das der Server nicht erwartet hat. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.',
  unsupported_media_type: 'Die Seite hat etwas gesendet, das der Server nicht erwartet hat. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.',
  not_found: 'Die Seite hat etwas gesendet, das der Server nicht erwartet hat. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.',
  method_not_allowed: 'Die Seite hat etwas gesendet, das der Server nicht erwartet hat. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.',
  internal_error: 'Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es später noch einmal.',
  configuration_error: 'Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es später noch einmal.',
  unexpected_response: 'Der Server hat auf eine Weise geantwortet, die diese Seite nicht versteht (HTTP {status}). Bitte versuchen Sie es noch einmal.',
  reference: 'Wenn es wieder passiert, nennen Sie diese Referenz: {id}',

  NotAllowedError: 'Abgebrochen – nichts wurde geändert. Sie können es jederzeit erneut versuchen.',
  AbortError: 'Abgebrochen – nichts wurde geändert. Sie können es jederzeit erneut versuchen.',
  InvalidStateError: 'Auf diesem Gerät gibt es schon einen Passkey für dieses Konto. Melden Sie sich damit an.',
  SecurityError:
    'Der Browser hat abgelehnt: Die Passkey-Domain dieser Website passt nicht zu dieser Adresse. Der Betreiber stellt die Passkey-Domain in Descope auf diesen Host oder eine übergeordnete Domain ein.',
  insecure_context: 'Unter dieser Adresse gehen keine Passkeys. Öffnen Sie die Seite über https oder unter http://localhost.',
  NotSupportedError: 'Dieses Gerät hat keinen Authenticator, der diese Art Passkey erstellen kann.',
  bad_options: 'Der Server hat Passkey-Optionen gesendet, die diese Seite nicht versteht.',
  unknown: 'Etwas ist schiefgegangen. Bitte versuchen Sie es noch einmal.',
  safari_http_hint:
    'Falls dies Safari unter http://localhost ist: Safari verwirft das Secure-Cookie, das dieser Schritt braucht; nutzen Sie Chrome, Edge oder Firefox oder https.',
  missing_login_id: 'Geben Sie zuerst Ihre E-Mail-Adresse oder Ihren Benutzernamen ein.',

  creating: 'Ihr Passkey wird erstellt – folgen Sie der Anzeige Ihres Browsers.',
  waiting: 'Warte auf Ihren Passkey – folgen Sie der Anzeige Ihres Browsers.',
  checking_account: 'Ihr Konto wird geprüft – folgen Sie der Anzeige Ihres Browsers.',
  adding_device: 'Ein Passkey für dieses Gerät wird hinzugefügt – folgen Sie der Anzeige Ihres Browsers.',
  signing_in: 'Sie werden angemeldet …',
  welcome_new: 'Willkommen, {name}. Ihr Passkey ist bereit und Sie sind angemeldet.',
  welcome_new_account: 'Willkommen, {name}. Ihr Konto und Ihr Passkey sind bereit.',
  welcome_back: 'Willkommen zurück, {name}. Sie sind angemeldet.',
  someone: 'Unbekannt',
  session_not_kept: 'Der Passkey hat funktioniert, aber dieser Browser hat das Sitzungscookie nicht behalten.',
  device_added: 'Fertig: Dieses Gerät kann Sie jetzt mit seinem eigenen Passkey anmelden.',
  signed_out: 'Sie sind abgemeldet.',
  signed_out_unconfirmed: 'Sie sind in diesem Browser abgemeldet, aber der Server konnte es nicht bestätigen. {reason}',
  signed_out_everywhere: 'Sie sind überall abgemeldet: Jeder Browser und jedes Gerät muss sich neu anmelden.',
  signed_out_everywhere_unconfirmed:
    'Sie sind in diesem Browser abgemeldet, andere Geräte aber vielleicht noch angemeldet: Der Server konnte es nicht bestätigen. {reason}',
  signed_out_everywhere_expired:
    'Ihre Sitzung in diesem Browser war schon beendet, daher konnten andere Geräte von hier nicht abgemeldet werden. Melden Sie sich an und wählen Sie dann erneut „Überall abmelden“.',
  protected_allowed: 'Die geschützte API hat geantwortet.',
  protected_refused: 'Die geschützte API hat den Aufruf abgelehnt.',
  protected_allowed_text: 'Die Edge hat die Sitzung von {who} angenommen.',
  sensitive_confirm: 'Bestätigen Sie mit Ihrem Passkey, dass Sie es sind.',
  sensitive_done: 'Die sensible Aktion war erfolgreich.',
  sensitive_done_text: 'Sie haben eben mit Ihrem Passkey bestätigt, daher hat die Edge es erlaubt.',
  sensitive_refused: 'Die sensible Aktion wurde abgelehnt.',
  sensitive_not_done: 'Die sensible Aktion wurde nicht ausgeführt.',
  recovery_sent:
    'Wenn dieses Konto eine E-Mail-Adresse hat, ist ein Anmeldelink unterwegs. Öffnen Sie ihn auf diesem Gerät. (Höchstens ein Link alle 10 Minuten.)',
  recovering: 'Sie werden mit dem Link aus der E-Mail angemeldet …',
  recovered: 'Willkommen zurück, {name}. Sie sind mit dem Link aus der E-Mail angemeldet: Erstellen Sie jetzt einen Passkey auf diesem Gerät.',
  recovered_later: 'Sie können dieses Gerät jederzeit mit „Dieses Gerät hinzufügen“ hinzufügen.',
}
