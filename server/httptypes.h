#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

#include <functional>
#include <memory>

namespace cityops::platform {

/** An HTTP request as plain data: what the handlers see, with no HTTP server type in it. */
struct HttpRequest
{
    QByteArray method;  ///< "GET", "POST", "PUT", …
    QString path;       ///< percent-decoded path, e.g. "/api/v1/changes"
    QByteArray rawPath; ///< the path as sent (percent-encoded), for path checks
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remote;

    /** A header's value (names compare case-insensitively); empty when absent. */
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
};

/** An HTTP response as plain data. */
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    HttpResponse &addHeader(QByteArray name, QByteArray value)
    {
        headers.append(qMakePair(std::move(name), std::move(value)));
        return *this;
    }

    static HttpResponse json(int status, QByteArray body)
    {
        HttpResponse r;
        r.status = status;
        r.body = std::move(body);
        return r;
    }
};

/**
 * Answers one request, now or later (long-poll). Copies share one state: the first call sends,
 * later calls do nothing, and alive() turns false once the client has gone away.
 */
class HttpReply
{
public:
    using Send = std::function<void(HttpResponse)>;
    using Alive = std::function<bool()>;

    explicit HttpReply(Send send, Alive alive = {})
        : m_state(std::make_shared<State>(State{std::move(send), std::move(alive), false}))
    {}

    void operator()(HttpResponse response) const
    {
        if (m_state->sent)
            return;
        m_state->sent = true;
        if (m_state->send)
            m_state->send(std::move(response));
    }
    bool alive() const { return !m_state->sent && (!m_state->alive || m_state->alive()); }
    bool sent() const { return m_state->sent; }

private:
    struct State
    {
        Send send;
        Alive alive;
        bool sent;
    };
    std::shared_ptr<State> m_state;
};

} // namespace cityops::platform
