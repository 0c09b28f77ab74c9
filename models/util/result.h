#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace cityops {

/** A failure with a message meant for a person (already translated where it reaches the UI). */
struct Error
{
    QString message;
};

/** A value or an Error: the typed-result convention of the core (std::expected is C++23). */
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(m_v); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return std::get<T>(m_v); }
    T &value() & { return std::get<T>(m_v); }
    T &&value() && { return std::get<T>(std::move(m_v)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }
    const QString &error() const { return std::get<Error>(m_v).message; }

private:
    std::variant<T, Error> m_v;
};

/** Result of an operation that yields nothing but may fail. */
struct Ok
{
};
using Status = Result<Ok>;

} // namespace cityops
