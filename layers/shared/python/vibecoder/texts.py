"""What the bot says, in Russian and English. One table, looked up by key.

A number that decides a word's form is written ``{count:# slide|# slides}``: the forms of the
language's CLDR plural categories, in order (English: one|other; Russian: one|few|many), ``#``
standing for the number. Each phrase picks its own case: "из {count:# слайда|# слайдов|# слайдов}"
(genitive), "Рисую {count:# слайд|# слайда|# слайдов}" (accusative).
"""

from __future__ import annotations

import string

from vibecoder.workflow import PROGRESS_STEPS, Stage

TEXTS: dict[str, dict[str, str]] = {
    "start": {
        "en": "👋 Hi{name}! I turn a topic or a text into an Instagram carousel.\n\n"
              "Send a topic, e.g. <i>Functional Programming with TypeScript</i>, or paste a text of a few "
              "paragraphs. /help lists everything.",
        "ru": "👋 Привет{name}! Я превращаю тему или текст в карусель для Instagram.\n\n"
              "Пришлите тему, например <i>Функциональное программирование</i>, или вставьте текст из "
              "нескольких абзацев. /help — все команды.",
    },
    "help": {
        "en": "<b>What I can do</b>\n"
              "/carousel &lt;topic&gt; — make a carousel; /carousel 7 TDD makes 7 slides ({min}–{max})\n"
              "…or just send a topic (up to {topic_limit} characters) or paste a text (several paragraphs, or one "
              "paragraph over {topic_limit} characters), also after /carousel\n"
              "/style — pick a theme\n/lang ru|en — language\n/history — your last carousels\n"
              "/size 4:5|1:1|9:16 — the slides' size\n"
              "/brand — your handle, name, accent and logo on the slides (/brand @handle, /brand name …, "
              "/brand color #RRGGBB, /brand off; a picture captioned /brand logo)\n"
              "/edit N Title | text — change a slide (or reply to it); /move A B; /drop N\n\n"
              "Up to {rate:# carousel|# carousels} an hour.",
        "ru": "<b>Что я умею</b>\n"
              "/carousel &lt;тема&gt; — сделать карусель; /carousel 7 TDD — 7 слайдов ({min}–{max})\n"
              "…или просто пришлите тему (до {topic_limit} символов) или текст (несколько абзацев или один абзац "
              "длиннее {topic_limit} символов), в том числе после /carousel\n"
              "/style — выбрать оформление\n/lang ru|en — язык\n/history — ваши последние карусели\n"
              "/size 4:5|1:1|9:16 — размер слайдов\n"
              "/brand — ваше имя пользователя, имя, акцент и логотип на слайдах (/brand @handle, /brand name …, "
              "/brand color #RRGGBB, /brand off; картинка с подписью /brand logo)\n"
              "/edit N Заголовок | текст — изменить слайд (или ответьте на него); /move A B; /drop N\n\n"
              "До {rate:# карусели|# каруселей|# каруселей} в час.",
    },
    # The status message: the chat's progress bar.
    "progress": {"en": "🎨 <b>{title}</b>\n{bar} {step}/{steps} · {label}",
                 "ru": "🎨 <b>{title}</b>\n{bar} {step}/{steps} · {label}"},
    "progress_title": {"en": "Carousel of {count:# slide|# slides}",
                       "ru": "Карусель из {count:# слайда|# слайдов|# слайдов}"},
    "progress_title_uncounted": {"en": "Carousel", "ru": "Карусель"},
    "stage_requested": {"en": "Analysing the topic…", "ru": "Анализирую тему…"},
    "stage_requested_text": {"en": "Reading your text…", "ru": "Читаю ваш текст…"},
    "stage_content": {"en": "Writing the slides…", "ru": "Пишу слайды…"},
    "stage_rendering": {"en": "Rendering {count:# slide|# slides}…",
                        "ru": "Рисую {count:# слайд|# слайда|# слайдов}…"},
    "stage_restyle": {"en": "Rendering in the «{style}» style…", "ru": "Перерисовываю в стиле «{style}»…"},
    "stage_sending": {"en": "Sending…", "ru": "Отправляю…"},
    "stage_done": {"en": "Done ✅", "ru": "Готово ✅"},
    "stage_failed": {"en": "Stopped ❌", "ru": "Не получилось ❌"},
    "topic_missing": {"en": "Send a topic after /carousel, e.g. /carousel TDD",
                      "ru": "Укажите тему после /carousel, например /carousel TDD"},
    "nothing_to_write_about": {
        "en": "There is nothing to make slides from: send a topic in words, e.g. <i>Clean Architecture</i>, or "
              "paste a text of a few paragraphs. (Emoji and punctuation alone are not enough.)",
        "ru": "Здесь не из чего сделать слайды: пришлите тему словами, например <i>Чистая архитектура</i>, или "
              "вставьте текст из нескольких абзацев. (Одних эмодзи и знаков препинания мало.)",
    },
    "topic_too_long": {
        "en": "That topic is too long ({length:# character|# characters}, at most {limit}). Shorten it, or paste it as a "
              "text of a few paragraphs.",
        "ru": "Тема слишком длинная ({length:# символ|# символа|# символов}, максимум {limit}). Сократите её или пришлите как "
              "текст из нескольких абзацев.",
    },
    "text_too_long": {"en": "That text is too long ({length:# character|# characters}, at most {limit}). "
                            "Send a shorter part.",
                      "ru": "Текст слишком длинный ({length:# символ|# символа|# символов}, максимум {limit}). "
                            "Пришлите часть покороче."},
    "slides_out_of_range": {"en": "A carousel has {min}–{max:# slide|# slides}, e.g. /carousel 7 {topic}",
                            "ru": "В карусели {min}–{max:# слайд|# слайда|# слайдов}, например /carousel 7 {topic}"},
    "rate_limited": {
        "en": "⏳ That's {limit:# carousel|# carousels} this hour, the most I can make. Try again in {minutes} min.",
        "ru": "⏳ Это уже {limit:# карусель|# карусели|# каруселей} за час — больше я не могу. Попробуйте через {minutes} мин.",
    },
    "failed": {
        "en": "😔 Sorry, I could not make this carousel{reason}.\n\nWhat to try: send the request again in a "
              "minute, or use a shorter, more specific topic (e.g. “TDD in Python”). A pasted text works too.",
        "ru": "😔 Извините, не получилось сделать карусель{reason}.\n\nЧто попробовать: повторите запрос через "
              "минуту или возьмите тему короче и конкретнее (например, «TDD в Python»). Можно прислать и текст.",
    },
    "failed_timeout": {"en": " (it took too long)", "ru": " (это заняло слишком много времени)"},
    "failed_delivery": {"en": " (Telegram would not take the slides)", "ru": " (Telegram не принял слайды)"},
    "failed_missing_glyph": {
        "en": "😔 Sorry, I cannot draw these characters yet: {characters}\n\nWhat to try: send the request again "
              "without them, or with the text in another script.",
        "ru": "😔 Извините, эти символы я пока нарисовать не могу: {characters}\n\nЧто попробовать: повторите запрос "
              "без них или с текстом в другой письменности.",
    },
    # A topic the offline notes do not cover: no carousel, and what the bot can do instead.
    "topic_not_covered": {
        "en": "🤔 I can't write a carousel on that without an AI model{because}: my built-in notes don't cover it, "
              "and I won't put an unrelated one under your title.\n\nWhat I can do:\n{subjects}"
              "• any text you paste (a few paragraphs, a list): I turn it into slides, in its own language\n"
              "• any topic, in any language, once the bot's operator sets an AI key (OPENAI_API_KEY){other_language}",
        "ru": "🤔 Без ИИ-модели я не напишу карусель на эту тему{because}: моих встроенных заметок о ней нет, "
              "а чужую карусель под вашим заголовком я делать не буду.\n\nЧто я могу:\n{subjects}"
              "• любой текст, который вы пришлёте (несколько абзацев, список): сделаю из него слайды на его языке\n"
              "• любую тему на любом языке, когда оператор бота настроит ключ ИИ (OPENAI_API_KEY){other_language}",
    },
    "covered_subjects": {"en": "• a topic my notes cover: {subjects}\n", "ru": "• тему из моих заметок: {subjects}\n"},
    "because_ai_unavailable": {"en": " (the AI model is unavailable right now)",
                               "ru": " (ИИ-модель сейчас недоступна)"},
    "not_covered_language": {"en": "\n• the same topic in English or Russian, the languages of my notes (or /lang en)",
                             "ru": "\n• ту же тему по-русски или по-английски — на этих языках мои заметки (или /lang ru)"},
    # Under a finished album when the content did not come from the configured AI model.
    "fallback_note": {
        "en": "ℹ️ The AI model was unavailable ({reason}), so these slides come from {source}.",
        "ru": "ℹ️ ИИ-модель была недоступна ({reason}), поэтому слайды сделаны {source}.",
    },
    "source_offline": {"en": "my built-in notes", "ru": "по моим встроенным заметкам"},
    "source_text": {"en": "your text as it is, without a model", "ru": "из вашего текста как есть, без модели"},
    "unknown_command": {"en": "I don't know that command. /help lists what I can do.",
                        "ru": "Не знаю такой команды. /help — что я умею."},
    "unsupported_message": {
        "en": "I work with text: send a topic, e.g. <i>Clean Architecture</i>, or paste a text of a few "
              "paragraphs.",
        "ru": "Я работаю с текстом: пришлите тему, например <i>Чистая архитектура</i>, или вставьте текст из "
              "нескольких абзацев.",
    },
    "style_choose": {"en": "Pick a style for your carousels (now: <b>{style}</b>):",
                     "ru": "Выберите стиль каруселей (сейчас: <b>{style}</b>):"},
    "style_saved": {"en": "Style: {style} ✅", "ru": "Стиль: {style} ✅"},
    "style_saved_message": {"en": "✅ Style <b>{style}</b>: your next carousels will use it.",
                            "ru": "✅ Стиль <b>{style}</b>: следующие карусели будут в нём."},
    "lang_choose": {"en": "Choose the language: /lang ru or /lang en", "ru": "Выберите язык: /lang ru или /lang en"},
    "lang_saved": {"en": "Language: English ✅", "ru": "Язык: русский ✅"},
    "history_empty": {"en": "No carousels yet. Send a topic to make your first one!",
                      "ru": "Каруселей пока нет. Пришлите тему, чтобы сделать первую!"},
    "history_title": {"en": "🗂 <b>Your last carousels</b> — tap one to get it again:",
                      "ru": "🗂 <b>Ваши последние карусели</b> — нажмите, чтобы получить снова:"},
    "ready": {
        "en": "✨ <b>{title}</b> — {count:# slide|# slides}, style «{style}».\n\nTelegram compresses album photos. "
              "<b>Originals</b>: the exact {width}×{height} files for Instagram. <b>PDF</b>: a document for LinkedIn.",
        "ru": "✨ <b>{title}</b> — {count:# слайд|# слайда|# слайдов}, стиль «{style}».\n\nTelegram сжимает фото в альбомах. "
              "<b>Оригиналы</b> — точные файлы {width}×{height} для Instagram. <b>PDF</b> — документ для LinkedIn.",
    },
    "button_originals": {"en": "📎 Originals", "ru": "📎 Оригиналы"},
    "button_pdf": {"en": "📄 PDF", "ru": "📄 PDF"},
    "button_restyle": {"en": "🎨 Another style", "ru": "🎨 Другой стиль"},
    "cb_sending": {"en": "Sending…", "ru": "Отправляю…"},
    "cb_restyle": {"en": "Re-rendering in «{style}»…", "ru": "Перерисовываю в стиле «{style}»…"},
    "cb_unavailable": {"en": "That carousel is no longer available.", "ru": "Эта карусель больше недоступна."},
    "cb_unknown": {"en": "This button no longer works.", "ru": "Эта кнопка больше не работает."},
    "originals_caption": {"en": "📎 Originals: {count} × {width}×{height} JPEG, ready for Instagram",
                          "ru": "📎 Оригиналы: {count} × {width}×{height} JPEG, готовы для Instagram"},
    "pdf_caption": {"en": "📄 {title} — a PDF for LinkedIn", "ru": "📄 {title} — PDF для LinkedIn"},
    "delivery_failed": {"en": "😔 Sorry, I could not send that. Please try again in a minute.",
                        "ru": "😔 Не получилось отправить. Попробуйте ещё раз через минуту."},
    # --- issue 14: the brand kit, the slide size and edits ------------------------------------------
    "brand_show": {
        "en": "🏷 <b>Your brand on the slides</b>{off}\nHandle: {handle}\nName: {name}\nAccent: {color}\n"
              "Avatar: {avatar} · Logo: {logo}\n\n/brand @handle · /brand name Ann · /brand color #ff6600 · "
              "/brand off · send a picture captioned <code>/brand logo</code>",
        "ru": "🏷 <b>Ваш бренд на слайдах</b>{off}\nИмя пользователя: {handle}\nИмя: {name}\nАкцент: {color}\n"
              "Аватар: {avatar} · Логотип: {logo}\n\n/brand @handle · /brand name Анна · /brand color #ff6600 · "
              "/brand off · пришлите картинку с подписью <code>/brand logo</code>",
    },
    "brand_is_off": {"en": " — off (slides carry no brand)", "ru": " — выключен (на слайдах нет бренда)"},
    "brand_none": {"en": "none", "ru": "нет"},
    "brand_yes": {"en": "yes", "ru": "есть"},
    "brand_saved": {"en": "✅ Saved: your next carousels carry it.", "ru": "✅ Сохранено: следующие карусели будут с ним."},
    "brand_bad_handle": {"en": "A handle is 3–32 letters, digits or _, e.g. <code>/brand @ann_dev</code>.",
                         "ru": "Имя пользователя — 3–32 латинские буквы, цифры или _, например <code>/brand @ann_dev</code>."},
    "brand_bad_color": {"en": "A colour is six hex digits, e.g. <code>/brand color #ff6600</code>.",
                        "ru": "Цвет — шесть шестнадцатеричных цифр, например <code>/brand color #ff6600</code>."},
    "brand_bad_name": {"en": "A name is up to {limit} characters, e.g. <code>/brand name Ann Lee</code>.",
                       "ru": "Имя — до {limit} символов, например <code>/brand name Анна Ли</code>."},
    "brand_unknown": {"en": "I know /brand @handle, /brand name …, /brand color #RRGGBB, /brand off and /brand on.",
                      "ru": "Я понимаю /brand @handle, /brand name …, /brand color #RRGGBB, /brand off и /brand on."},
    "brand_turned_off": {"en": "✅ Brand off: your slides carry no handle, name, avatar or logo. /brand on brings it back.",
                         "ru": "✅ Бренд выключен: на слайдах нет имени, аватара и логотипа. /brand on — вернуть."},
    "brand_from_profile": {"en": "✅ Taken from your Telegram profile again.", "ru": "✅ Снова взято из вашего профиля Telegram."},
    "button_brand_profile": {"en": "👤 From my profile", "ru": "👤 Из профиля"},
    "button_brand_off": {"en": "🚫 Off", "ru": "🚫 Выключить"},
    "button_brand_on": {"en": "✅ On", "ru": "✅ Включить"},
    "button_brand_no_logo": {"en": "🗑 Remove logo", "ru": "🗑 Убрать логотип"},
    "logo_saving": {"en": "⏳ Saving your logo…", "ru": "⏳ Сохраняю логотип…"},
    "logo_saved": {"en": "✅ Logo saved: your next carousels carry it.", "ru": "✅ Логотип сохранён: следующие карусели будут с ним."},
    "logo_not_image": {"en": "😔 That file is not a picture I can use (JPEG, PNG or WebP, up to 5 MB).",
                       "ru": "😔 Этот файл не подходит (нужна картинка JPEG, PNG или WebP до 5 МБ)."},
    "logo_removed": {"en": "✅ Logo removed.", "ru": "✅ Логотип убран."},
    "size_choose": {"en": "Slide size for your carousels (now: <b>{size}</b>):",
                    "ru": "Размер слайдов ваших каруселей (сейчас: <b>{size}</b>):"},
    "size_saved": {"en": "✅ Size <b>{size}</b>: your next carousels and their PDF use it.",
                   "ru": "✅ Размер <b>{size}</b>: следующие карусели и их PDF будут такими."},
    "button_edit": {"en": "✏️ Edit", "ru": "✏️ Изменить"},
    "button_undo": {"en": "↩️ Undo", "ru": "↩️ Отменить"},
    "edit_help": {
        "en": "✏️ <b>Editing «{title}»</b> ({count:# slide|# slides})\n"
              "• Reply to a slide with <code>Title | text</code> to replace it{ai}\n"
              "• <code>/edit 3 Title | text</code> does the same by number\n"
              "• <code>/move 5 2</code> moves slide 5 to place 2 · <code>/drop 4</code> removes slide 4",
        "ru": "✏️ <b>Правка «{title}»</b> ({count:# слайд|# слайда|# слайдов})\n"
              "• Ответьте на слайд текстом <code>Заголовок | текст</code>, чтобы заменить его{ai}\n"
              "• <code>/edit 3 Заголовок | текст</code> — то же по номеру\n"
              "• <code>/move 5 2</code> — слайд 5 на место 2 · <code>/drop 4</code> — убрать слайд 4",
    },
    "edit_help_ai": {"en": ", or with an instruction: «shorter», «add an example», «make it a question»",
                     "ru": " или указанием: «короче», «добавь пример», «сделай вопросом»"},
    "edit_no_carousel": {"en": "There is no finished carousel here to edit yet. Send a topic first!",
                         "ru": "Здесь пока нет готовой карусели для правки. Сначала пришлите тему!"},
    "edit_usage": {"en": "Use <code>/edit N Title | text</code>, <code>/move A B</code> or <code>/drop N</code> "
                         "(slides 1–{count}).",
                   "ru": "Используйте <code>/edit N Заголовок | текст</code>, <code>/move A B</code> или "
                         "<code>/drop N</code> (слайды 1–{count})."},
    "edit_working": {"en": "✏️ Updating slide {slide}…", "ru": "✏️ Обновляю слайд {slide}…"},
    "edit_moving": {"en": "✏️ Moving slide {slide} to place {to}…", "ru": "✏️ Переставляю слайд {slide} на место {to}…"},
    "edit_dropping": {"en": "✏️ Removing slide {slide}…", "ru": "✏️ Убираю слайд {slide}…"},
    "edit_undoing": {"en": "↩️ Undoing the last edit…", "ru": "↩️ Отменяю последнюю правку…"},
    "edit_done": {"en": "✅ Slide {slide} updated (version {version}). Originals and PDF follow.",
                  "ru": "✅ Слайд {slide} обновлён (версия {version}). Оригиналы и PDF — тоже."},
    "edit_moved": {"en": "✅ Slides reordered. Originals and PDF follow.", "ru": "✅ Порядок слайдов изменён. Оригиналы и PDF — тоже."},
    "edit_dropped": {"en": "✅ Slide removed: {count:# slide|# slides} now.",
                     "ru": "✅ Слайд убран: теперь {count:# слайд|# слайда|# слайдов}."},
    "edit_undone": {"en": "↩️ Undone: the carousel is as it was before the last edit.",
                    "ru": "↩️ Отменено: карусель такая же, как до последней правки."},
    "edit_failed_needs_ai": {"en": "I can follow an instruction only with an AI model, and none is configured here. "
                                   "Reply with <code>Title | text</code> to replace the slide's text yourself.",
                             "ru": "Выполнять указания я могу только с моделью ИИ, а она здесь не настроена. "
                                   "Ответьте текстом <code>Заголовок | текст</code>, чтобы заменить текст слайда."},
    "edit_failed_ai_failed": {"en": "😔 The AI model could not rewrite the slide just now; it is unchanged. Try again, "
                                    "or reply with <code>Title | text</code>.",
                              "ru": "😔 Модель ИИ сейчас не смогла переписать слайд; он не изменился. Попробуйте ещё раз "
                                    "или ответьте текстом <code>Заголовок | текст</code>."},
    "edit_failed_busy": {"en": "Another edit of this carousel is still being drawn: try again in a few seconds.",
                         "ru": "Предыдущая правка этой карусели ещё рисуется: попробуйте через несколько секунд."},
    "edit_failed_nothing_to_undo": {"en": "Nothing to undo: the carousel has no edits.",
                                    "ru": "Отменять нечего: карусель не правили."},
    "edit_failed_not_editable": {"en": "That carousel cannot be edited (it is not finished, or not yours).",
                                 "ru": "Эту карусель нельзя изменить (она не готова или не ваша)."},
    "edit_failed_out_of_range": {"en": "There is no such slide in that carousel.", "ru": "В этой карусели нет такого слайда."},
    "edit_failed_last_slide": {"en": "A carousel keeps at least one slide.", "ru": "В карусели должен остаться хотя бы один слайд."},
    "edit_failed_missing_glyph": {"en": "😔 The new text has characters no font here can draw; the slide is unchanged.",
                                  "ru": "😔 В новом тексте есть символы, которых нет в шрифтах; слайд не изменился."},
    "alt_text_title": {"en": "♿ Alt text for Instagram (Advanced settings → Accessibility), slide by slide:",
                       "ru": "♿ Альтернативный текст для Instagram (Расширенные настройки → Доступность), по слайдам:"},
    # --- issue 15, inputs: numbers in topics, captions, forwards, groups --------------------
    "count_question": {"en": "Is {number} the number of slides, or part of the topic?",
                       "ru": "{number} — это число слайдов или часть темы?"},
    "slides_about": {"en": "{count:# slide|# slides} about «{topic}»",
                     "ru": "{count:# слайд|# слайда|# слайдов} на тему «{topic}»"},
    "topic_with_count": {"en": "«{topic}», {count:# slide|# slides}",
                         "ru": "«{topic}», {count:# слайд|# слайда|# слайдов}"},
    "caption_note": {"en": "ℹ️ I don't look at pictures: these slides come from your caption only.",
                     "ru": "ℹ️ Картинки я не разбираю: слайды будут только по вашей подписи."},
    "source_credit": {"en": "Source: {source}", "ru": "Источник: {source}"},
    "cb_not_yours": {
        "en": "That carousel is {owner}'s and was posted in another chat: its buttons work there. "
              "Make your own with /carousel.",
        "ru": "Эту карусель сделал(а) {owner} в другом чате: её кнопки работают там. "
              "Свою можно сделать командой /carousel.",
    },
    "someone": {"en": "another user", "ru": "другой пользователь"},
    "history_sent_private": {"en": "📬 {name}, I sent your history to our private chat.",
                             "ru": "📬 {name}, я отправил вашу историю в личный чат со мной."},
    "history_start_private": {
        "en": "🔒 {name}, your history is personal, so I send it in a private chat, and you have not started one "
              "with me yet: open {link}, press Start, and your history comes right there.",
        "ru": "🔒 {name}, история личная, поэтому я присылаю её в личный чат, а вы ещё не начали его со мной: "
              "откройте {link}, нажмите «Запустить» (Start) — и история придёт туда.",
    },
    # --- issue 15, replies: /history entries, inline mode ---
    "history_restyle_of": {"en": "↻ restyle of {number}", "ru": "↻ другой стиль для {number}"},
    "history_restyled": {"en": "↻ restyle", "ru": "↻ другой стиль"},
    "inline_title": {"en": "Make a carousel about “{topic}”", "ru": "Сделать карусель про «{topic}»"},
    "inline_description": {"en": "The slides arrive in your private chat with {bot}",
                           "ru": "Слайды придут в ваш личный чат с {bot}"},
    "inline_note": {"en": "🎨 {name} is making a carousel about <b>{topic}</b> with {bot}: the slides arrive "
                          "in their private chat with the bot.",
                    "ru": "🎨 {name} делает карусель про <b>{topic}</b> с {bot}: слайды придут в личный чат "
                          "с ботом."},
    "inline_note_start": {"en": "🎨 A carousel about <b>{topic}</b>: {name}, start {bot} first (once), and it "
                                "arrives in your private chat: <a href=\"{link}\">open {bot}</a>",
                          "ru": "🎨 Карусель про <b>{topic}</b>: {name}, сначала запустите {bot} (один раз), и она "
                                "придёт в личный чат: <a href=\"{link}\">открыть {bot}</a>"},
    "inline_open_bot": {"en": "Open {bot}", "ru": "Открыть {bot}"},
    "inline_start_button": {"en": "Start the bot to get your carousel", "ru": "Запустите бота, чтобы получить карусель"},
    # long pastes (telegram_gateway.paste): Telegram splits a text over 4096 characters into messages
    "paste_receiving": {"en": "📥 Receiving a long text… I will make one carousel of all its parts.",
                        "ru": "📥 Принимаю длинный текст… Сделаю одну карусель из всех его частей."},
    "paste_joined": {"en": "📥 {parts:# part|# parts} joined into one text ({length:# character|# characters}).",
                     "ru": "📥 {parts:# часть|# части|# частей} собраны в один текст ({length:# символ|# символа|# символов})."},
    "paste_cut": {"en": "✂️ The text is longer than {limit} characters: I used it up to the paragraph that ends "
                        "at {length}.",
                  "ru": "✂️ Текст длиннее {limit} символов: я взял его до абзаца, который кончается на {length}-м."},
}

THEME_EMOJI = {"glass": "🔮", "minimal": "⚪", "vibrant": "🌈", "professional": "💼", "dark": "🌙",
               "gradient": "🌊", "scripture": "📜"}
# The themes' names as the bot shows them (Russian ones agree with «стиль», a masculine noun).
THEME_NAMES: dict[str, dict[str, str]] = {
    "glass": {"en": "Glass", "ru": "Стекло"},
    "dark": {"en": "Dark", "ru": "Тёмный"},
    "gradient": {"en": "Gradient", "ru": "Градиент"},
    "minimal": {"en": "Minimal", "ru": "Минимализм"},
    "professional": {"en": "Professional", "ru": "Деловой"},
    "scripture": {"en": "Scripture", "ru": "Писание"},
    "vibrant": {"en": "Vibrant", "ru": "Яркий"},
}

# CLDR plural categories of integers, in the order a text lists its forms.
PLURAL_CATEGORIES = {"en": ("one", "other"), "ru": ("one", "few", "many")}


def plural_category(language: str, number: int) -> str:
    """CLDR's plural rule for an integer: en one (1) | other; ru one (1, 21, 101…), few (2-4, 22-24…), many."""
    n = abs(number)
    if language == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


class _TextFormatter(string.Formatter):
    """``str.format`` plus plural fields: ``{count:# slide|# slides}`` picks the form for ``count``."""

    def __init__(self, language: str):
        self.language = language

    def format_field(self, value: object, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        forms, categories = format_spec.split("|"), PLURAL_CATEGORIES[self.language]
        if len(forms) != len(categories):
            raise ValueError(f"{self.language} plurals need {len(categories)} forms ({'|'.join(categories)}): "
                             f"{format_spec!r}")
        if not isinstance(value, int):
            raise TypeError(f"a plural needs an integer, not {value!r}")
        return forms[categories.index(plural_category(self.language, value))].replace("#", str(value))


def text(key: str, language: str | None, **values: object) -> str:
    variants = TEXTS[key]
    language = language if language in variants else "en"
    return _TextFormatter(language).format(variants[language], **values)


def theme_label(name: str, language: str | None) -> str:
    names = THEME_NAMES.get(name) or {"en": name.capitalize()}
    return f"{THEME_EMOJI.get(name, '🎨')} {names.get(language or 'en', names['en'])}"


def progress_bar(step: int, steps: int) -> str:
    return "▰" * step + "▱" * (steps - step)


def language_of(code: str | None) -> str:
    """Telegram's language_code → the bot's language."""
    return "ru" if code and code.lower().startswith(("ru", "uk", "be", "kk")) else "en"


def escape_html(value: str) -> str:
    """For user-provided text inside an HTML-formatted message (parse_mode=HTML)."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(value: str, limit: int) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def progress_text(language: str | None, stage: Stage, *, count: int | None, title: str | None = None,
                  style: str | None = None, from_text: bool = False) -> str:
    """The status message at one stage of the flow: a title, a bar and what is happening now.
    ``count`` None: the slides are not known (a failure found by the orchestrator's sweep)."""
    if title:
        heading = escape_html(clip(title, 80))
    elif count is None:
        heading = text("progress_title_uncounted", language)
    else:
        heading = text("progress_title", language, count=count)
    if stage.progress is None:
        return f"🎨 <b>{heading}</b>\n{text(stage.label, language)}"
    if stage is Stage.REQUESTED and from_text:
        label = text("stage_requested_text", language)
    elif stage is Stage.SLIDES and style:
        label = text("stage_restyle", language, style=style)
    else:
        label = text(stage.label, language, count=count)
    return text("progress", language, title=heading, bar=progress_bar(stage.progress, PROGRESS_STEPS),
                step=stage.progress, steps=PROGRESS_STEPS, label=label)
