/** Photos attached to a report: downscaled and stored on the phone at once, uploaded by the outbox. */
import { useEffect, useState } from "preact/hooks";
import { getPhoto, putPhoto } from "./db";
import { downscale, sha256Hex } from "./photo";
import { say, type Lang } from "./strings";

const MAX_PHOTOS = 10; // ingest's MAX_EVIDENCE

export function Photos(p: { lang: Lang; stationId: string; ids: string[]; label: string; onChange(ids: string[]): void }) {
  const [urls, setUrls] = useState<Record<string, string>>({});
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    const made: string[] = [];
    void Promise.all(p.ids.map(async (id) => {
      const photo = await getPhoto(id);
      if (!photo) return [id, ""] as const;
      const url = URL.createObjectURL(photo.blob);
      made.push(url);
      return [id, url] as const;
    })).then((pairs) => live && setUrls(Object.fromEntries(pairs)));
    return () => { live = false; made.forEach((u) => URL.revokeObjectURL(u)); };
  }, [p.ids.join(",")]);

  const add = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    setFailed(false);
    const added: string[] = [];
    for (const file of Array.from(input.files ?? [])) {
      try {
        const blob = await downscale(file);
        const id = await sha256Hex(blob);
        await putPhoto({ id, blob, station_id: p.stationId, uploaded: false });
        added.push(id);
      } catch {
        setFailed(true);
      }
    }
    input.value = "";
    p.onChange([...new Set([...p.ids, ...added])].slice(0, MAX_PHOTOS));
  };

  return (
    <fieldset class="photos"><legend>{p.label}</legend>
      <div class="thumbs">
        {p.ids.map((id) => (
          <figure data-photo={id}>
            {urls[id] && <img src={urls[id]} alt="" />}
            <button type="button" class="secondary" onClick={() => p.onChange(p.ids.filter((x) => x !== id))}>{say(p.lang, "removePhoto")}</button>
          </figure>
        ))}
      </div>
      {failed && <p class="warning">{say(p.lang, "photoFailed")}</p>}
      {p.ids.length < MAX_PHOTOS && (
        <label class="button secondary">{say(p.lang, "addPhoto")}
          <input id="photo-input" type="file" accept="image/*" capture="environment" multiple hidden onChange={add} />
        </label>
      )}
    </fieldset>
  );
}
