import QRCode from "qrcode";
import { createResource, Show } from "solid-js";

/**
 * A QR code of `text` as an <img> with a data: URL (the CSP allows data: images; no canvas
 * is kept in the page, so the code prints like any other image).
 */
export function QrCode(props: { text: string; alt: string; size?: number; class?: string }) {
  const [url] = createResource(
    () => props.text,
    (text) => QRCode.toDataURL(text, { errorCorrectionLevel: "M", margin: 1, width: props.size ?? 200 }),
  );
  return (
    <Show when={url()}>
      {(src) => (
        <img src={src()} alt={props.alt} width={props.size ?? 200} height={props.size ?? 200} class={props.class} />
      )}
    </Show>
  );
}
