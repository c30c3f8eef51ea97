/* The playground page: a tiny Bot Framework channel. It posts activities to /api/messages and
   draws what the bot sends back through the local connector (Server-Sent Events). No framework,
   no CDN: the official Adaptive Cards renderer is served from node_modules. */
(function () {
  'use strict';
  var AC = window.AdaptiveCards;
  var messagesElement = document.getElementById('messages');
  var toastElement = document.getElementById('toast');
  var session = null;
  var conversationId = null;
  /** activity id -> { container, updates } */
  var cards = {};

  function randomId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /* The markdown subset Teams renders in TextBlocks, with the bot's backslash escapes honoured. */
  function markdown(text) {
    var kept = [];
    var html = escapeHtml(text).replace(/\\(&lt;|&gt;|&amp;|&quot;|&#39;|[\\`*_~\[\]#+\-.()!|])/g, function (_m, c) {
      kept.push(c);
      return '\u0000' + (kept.length - 1) + '\u0000';
    });
    html = html
      .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
      .replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,])/g, '$1<em>$2</em>')
      .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
      .replace(/\n/g, '<br>');
    return html.replace(/\u0000(\d+)\u0000/g, function (_m, index) { return kept[Number(index)]; });
  }

  AC.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = markdown(text);
    result.didProcess = true;
  };

  var hostConfig = new AC.HostConfig({
    fontFamily: '"Segoe UI", system-ui, -apple-system, sans-serif',
    supportsInteractivity: true,
    actions: { maxActions: 6, buttonSpacing: 8, showCard: { actionMode: 'inline' }, actionsOrientation: 'horizontal', actionAlignment: 'left' },
  });

  function toast(text) {
    toastElement.textContent = text;
    toastElement.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { toastElement.hidden = true; }, 4000);
  }

  function scrollDown() {
    window.scrollTo(0, document.body.scrollHeight);
  }

  function addMessage(kind, who) {
    var wrapper = document.createElement('div');
    wrapper.className = 'message ' + kind;
    var label = document.createElement('div');
    label.className = 'who';
    label.textContent = who;
    wrapper.appendChild(label);
    messagesElement.appendChild(wrapper);
    return wrapper;
  }

  function baseActivity() {
    return {
      id: randomId(),
      channelId: 'msteams',
      serviceUrl: session.serviceUrl,
      timestamp: new Date().toISOString(),
      locale: navigator.language || 'en-US',
      from: { id: session.user.id, name: session.user.name, aadObjectId: session.user.aadObjectId },
      recipient: session.bot,
      conversation: { id: conversationId, conversationType: 'personal', tenantId: 'playground' },
      channelData: { tenant: { id: 'playground' }, source: { name: 'playground' } },
    };
  }

  function post(activity) {
    return fetch('/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    }).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (error) { body = text; }
        if (!response.ok) throw new Error('The bot answered ' + response.status + (typeof body === 'string' && body ? ': ' + body : ''));
        return body;
      });
    });
  }

  function renderCard(activityId, payload) {
    var card = new AC.AdaptiveCard();
    card.hostConfig = hostConfig;
    card.onExecuteAction = function (action) { onAction(activityId, action); };
    try {
      card.parse(payload);
      return card.render();
    } catch (error) {
      var failed = document.createElement('div');
      failed.className = 'text';
      failed.textContent = 'This card could not be drawn: ' + error.message;
      return failed;
    }
  }

  function showCard(activityId, payload) {
    var entry = cards[activityId];
    if (!entry) return;
    entry.container.replaceChildren(renderCard(activityId, payload));
  }

  function onActivity(event) {
    if (event.kind === 'deleted') {
      var gone = cards[event.id];
      if (gone) gone.container.parentElement.remove();
      return;
    }
    var entry = cards[event.id];
    if (!entry) {
      var wrapper = addMessage('bot', session.bot.name);
      var container = document.createElement('div');
      container.className = event.cards.length ? 'card' : 'text';
      container.dataset.activityId = event.id;
      wrapper.appendChild(container);
      entry = cards[event.id] = { container: container, updates: 0 };
    }
    entry.updates += 1;
    if (event.cards.length) showCard(event.id, event.cards[0]);
    else entry.container.textContent = event.text || '';
    scrollDown();
  }

  function onAction(activityId, action) {
    var type = action.getJsonTypeName();
    if (type === 'Action.OpenUrl') {
      window.open(action.url, '_blank', 'noopener');
      return;
    }
    var data = Object.assign({}, action.data || {});
    var entry = cards[activityId];
    var updatesAtClick = entry ? entry.updates : 0;
    var buttons = entry ? entry.container.querySelectorAll('button') : [];
    buttons.forEach(function (button) { button.disabled = true; });
    var activity = baseActivity();
    activity.replyToId = activityId;
    if (type === 'Action.Execute') {
      activity.type = 'invoke';
      activity.name = 'adaptiveCard/action';
      activity.value = { action: { type: 'Action.Execute', id: action.id, verb: action.verb, data: data }, trigger: 'manual' };
    } else {
      activity.type = 'message';
      activity.value = data;
    }
    post(activity).then(function (answer) {
      var current = cards[activityId];
      /* A newer card already arrived through the connector: it wins over the invoke answer. */
      var overtaken = current && current.updates !== updatesAtClick;
      if (answer && answer.type === 'application/vnd.microsoft.card.adaptive' && !overtaken) showCard(activityId, answer.value);
      else if (answer && answer.type === 'application/vnd.microsoft.activity.message') toast(String(answer.value));
      else if (!overtaken && current) buttons.forEach(function (button) { button.disabled = false; });
    }).catch(function (error) {
      buttons.forEach(function (button) { button.disabled = false; });
      toast(error.message);
    });
  }

  function say(text) {
    var trimmed = text.trim();
    if (!trimmed) return;
    var wrapper = addMessage('user', session.user.name);
    var bubble = document.createElement('div');
    bubble.className = 'text';
    bubble.textContent = trimmed;
    wrapper.appendChild(bubble);
    scrollDown();
    var activity = baseActivity();
    activity.type = 'message';
    activity.text = trimmed;
    post(activity).catch(function (error) { toast(error.message); });
  }

  function start() {
    fetch('/playground/session').then(function (response) { return response.json(); }).then(function (loaded) {
      session = loaded;
      document.getElementById('mode').textContent = session.sandbox ? 'sandbox' : 'live data';
      if (!session.outbox) document.getElementById('outbox-link').hidden = true;
      var stored = sessionStorage.getItem('integoreport.playground.conversation');
      conversationId = stored || 'playground-' + randomId();
      sessionStorage.setItem('integoreport.playground.conversation', conversationId);
      var events = new EventSource('/playground/events?conversation=' + encodeURIComponent(conversationId));
      events.onmessage = function (message) { onActivity(JSON.parse(message.data)); };
      if (!stored) {
        var hello = baseActivity();
        hello.type = 'conversationUpdate';
        hello.membersAdded = [session.bot, hello.from];
        post(hello).catch(function (error) { toast(error.message); });
      }
    }).catch(function (error) { toast('Could not start the playground: ' + error.message); });

    document.getElementById('composer').addEventListener('submit', function (event) {
      event.preventDefault();
      var input = document.getElementById('text');
      say(input.value);
      input.value = '';
      input.focus();
    });
    document.querySelectorAll('.suggestions button').forEach(function (button) {
      button.addEventListener('click', function () { say(button.dataset.command); });
    });
  }

  start();
})();
